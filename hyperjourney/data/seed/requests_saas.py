"""Northwind Boards and Ledger ticket requests paired with the answers agents gave, by intent; answers follow
the pricing, billing and cancellation pages in the knowledge base.
"""

from __future__ import annotations

BOARDS: dict[str, tuple[tuple[str, str], ...]] = {
    "billing_question": (
        (
            "Invoice {invoice} for {team} bills {seats} seats but there are only {members} of us. Why the extra seats?",
            "Seats are billed per member, and invited members who haven't joined yet still count. Removing "
            "pending invites gives a prorated credit on the next invoice.",
        ),
        (
            "We switched to annual billing last week but the card was charged the monthly price of {amount} again.",
            "The switch takes effect at the end of the current monthly period, so that charge closed out the "
            "month. Annual billing starts at the next renewal.",
        ),
        (
            "How do I get our VAT number onto the {plan} plan invoices? Finance won't accept them without it.",
            "Add it under Settings > Billing > Tax details; it appears on every invoice from then on, and I've "
            "reissued {invoice} with it.",
        ),
        (
            "I got a prorated charge after adding a member mid-cycle and I can't work out how it was calculated.",
            "Seats added mid-cycle are prorated by day; the line-by-line breakdown is under Billing > Invoices.",
        ),
        (
            "Our renewal failed because the card was declined. Which card do you have on file and how do I change it?",
            "You can update the card under Settings > Billing; the renewal retries automatically within 24 hours.",
        ),
    ),
    "refund_request": (
        (
            "Someone on {team} upgraded us to {plan} by accident. Can the {amount} charge be refunded?",
            "I've moved {team} back to Free and refunded {amount}, as no paid features were used.",
        ),
        (
            "We were charged for {seats} seats after removing people from the workspace. Please refund the difference.",
            "On monthly plans removed members give a prorated credit on the next invoice; I've applied it now.",
        ),
        (
            "We cancelled the day after renewal and never used the paid features. Requesting a refund of {amount}.",
            "We don't normally refund partial months, but as the plan was unused I've made an exception and "
            "refunded {amount}.",
        ),
    ),
    "cancel_subscription": (
        (
            "Please cancel the Boards {plan} subscription for {team} at the end of this billing period.",
            "Done: the plan stays active until the end of the period, then {team} moves to Free. Nothing is deleted.",
        ),
        (
            "How do I cancel? I can't find the option in billing settings and don't want to be charged again.",
            "The workspace owner can cancel under Settings > Billing > Plan > Cancel subscription; I've sent you "
            "the steps.",
        ),
        (
            "We're moving to another tool. Cancel our plan, and tell me how to export our boards first.",
            "Boards can be exported as CSV or JSON from Settings > Export; the cancellation takes effect at the "
            "end of the period.",
        ),
        (
            "Downgrade us to Free please. We only use a couple of boards now and can't justify {amount}.",
            "I've scheduled the move to Free for the end of the period. Automations will move to Draft.",
        ),
    ),
    "technical_issue": (
        (
            "Our '{automation}' automation stopped firing yesterday. Cards move to Done but nothing happens.",
            "It was built on a template board, so it doesn't fire on copies. Moving it to the workspace level "
            "fixes that.",
        ),
        (
            "Boards won't load in Safari, just a spinning wheel since this morning.",
            "A release this morning broke loading in Safari; we rolled it back, so a refresh should fix it.",
        ),
        (
            "Attachments over 10 MB fail to upload with 'Something went wrong'.",
            "We found a bug with large uploads and deployed a fix; please try again.",
        ),
        (
            "The mobile app logs me out every time I switch boards.",
            "Please update the app to the latest version; the logout bug was fixed there.",
        ),
        (
            "We hit 'automation run limit reached' after only nine days. Is the counter broken?",
            "The counter is right: Team includes 1,000 runs a month. A run pack adds 5,000 runs for $10 a month.",
        ),
        (
            "Notifications stopped arriving for everyone in {team}.",
            "A mail provider delayed our notifications for a few hours; they are flowing again.",
        ),
    ),
    "product_question": (
        (
            "Can automations on the Team plan post to Slack?",
            "Yes, Slack is one of the automation actions on Team.",
        ),
        (
            "Do guests count as paid seats on Business?",
            "No, guests don't use a paid seat on any plan.",
        ),
        (
            "Is there a limit on the number of boards on Free?",
            "Free includes up to 5 boards and 10 members.",
        ),
    ),
    "complaint": (
        (
            "The latest Boards update removed the compact view that our whole team relied on.",
            "I've shared this with the product team; compact view can be turned back on under Settings > Display.",
        ),
        (
            "It took four days to get an answer to a simple billing question.",
            "That's longer than it should be; I've answered your billing question below and flagged the delay.",
        ),
        (
            "The app has been slow for weeks and nobody acknowledges it.",
            "We found a slow database query on large workspaces and a fix is rolling out this week.",
        ),
    ),
    "praise": (
        (
            "The '{automation}' automation saves our team hours every week.",
            "I've shared this with the team!",
        ),
        (
            "Your onboarding checklist got all of {team} working in Boards in a single day.",
            "Great to hear {team} got going so fast!",
        ),
    ),
    "upgrade_inquiry": (
        (
            "We're {members} people on Free and want automations. Team or Business?",
            "Team includes 20 active automations and 1,000 runs a month; Business has unlimited automations and "
            "25,000 runs.",
        ),
        (
            "What would Business cost for {seats} seats billed annually?",
            "Business is $12.75 per seat per month billed annually, so {seats} seats cost {seats} x $12.75 a month.",
        ),
        (
            "If we start a Business trial and don't upgrade, do we keep our boards?",
            "Yes: after the 14-day trial the workspace moves back to Free and keeps its boards.",
        ),
        (
            "Do you offer a nonprofit discount on the Team plan?",
            "Yes, 50% off Team and Business with proof of status.",
        ),
    ),
}

LEDGER: dict[str, tuple[tuple[str, str], ...]] = {
    "billing_question": (
        (
            "Our AP team received invoice {invoice} for {amount}, which does not match the {plan} price in our "
            "order form. Please clarify.",
            "The difference is transaction overage above the {plan} limit; the usage report is attached to {invoice}.",
        ),
        (
            "Can {company} move Ledger from card payments to invoicing with net 30 terms?",
            "Yes: Growth annual and Scale plans can pay by invoice with net 30 terms. I've asked billing to "
            "switch you at the next renewal.",
        ),
        (
            "We were billed for extra transactions this month, over the {plan} limit. How is the overage worked out?",
            "Overage is $10 per 1,000 transactions above the plan limit, on any plan; the count is in the usage "
            "report.",
        ),
        (
            "Procurement needs your W-9 and remittance details before we can pay {invoice}.",
            "I've attached our W-9 and the remittance details for {invoice}.",
        ),
        (
            "The fee on our last international wire payout looks higher than the $25 in your pricing. Can you check?",
            "Our fee was $25; the rest was charged by the intermediary bank. I've attached the payout trace.",
        ),
    ),
    "refund_request": (
        (
            "We cancelled our annual Ledger plan within 30 days, so under your policy we'd like the full "
            "{amount} back.",
            "Annual plans cancelled within 30 days of the first purchase get a full refund; I've processed {amount}.",
        ),
        (
            "Invoice {invoice} was paid twice by our AP team. Please refund the duplicate payment.",
            "I can see both payments for {invoice}; the duplicate is being refunded to the paying account.",
        ),
        (
            "We were billed for a Scale entity we never activated. Please credit or refund it.",
            "You're right, that entity was never activated. I've credited $50 on your next invoice.",
        ),
    ),
    "cancel_subscription": (
        (
            "We have decided not to renew Ledger {plan} when the contract ends. Please confirm the cancellation "
            "in writing.",
            "Confirmed in writing to your billing contact: the plan will not renew. You can export data for 90 "
            "days afterwards.",
        ),
        (
            "{company} is being acquired and we need to cancel Northwind Ledger. What is the notice period?",
            "For annual plans paid by invoice we need notice at least 30 days before the renewal date.",
        ),
        (
            "Please turn off auto-renewal for {company}. We are consolidating on our ERP's own module.",
            "Auto-renewal is off. Your account becomes read-only at the end of the term and data stays "
            "exportable for 90 days.",
        ),
    ),
    "technical_issue": (
        (
            "Our bank feed for {bank} disconnected again and reconciliation has been stuck since {date}.",
            "The bank's connection token expired. Reconnecting the feed under Connections fixes it, and the "
            "missing days backfill automatically.",
        ),
        (
            "The payout CSV import fails with 'column loan_id not found' even though the column is there.",
            "The file has a byte-order mark before the header; saving it as plain UTF-8 fixes the import.",
        ),
        (
            "Matching rules stopped matching deposits by reference; {count} transactions are sitting in exceptions.",
            "Your bank changed the memo format. I've updated the reference pattern and re-run matching.",
        ),
        (
            "SSO through Okta returns 'invalid SAML response' for half of our finance team.",
            "Your Okta signing certificate rotated; uploading the new one under Settings > Security fixes it.",
        ),
        (
            "The audit log API returns 500 errors when we page past the first 1,000 records.",
            "Engineering found the paging bug and deployed a fix this morning.",
        ),
    ),
    "product_question": (
        (
            "Does Ledger handle multi-entity consolidation across different currencies?",
            "Yes: Growth covers 3 entities and Scale 10, each in its own currency.",
        ),
        (
            "Can we import BAI2 statement files, or only live bank feeds?",
            "Both: BAI2 files and live bank feeds.",
        ),
        (
            "Is there a SOC 2 Type II report we could review before we sign?",
            "Yes, under NDA; your account manager will share it through our trust portal.",
        ),
    ),
    "complaint": (
        (
            "Our onboarding manager has missed two scheduled sessions in a row.",
            "I've escalated this to the onboarding lead, who will call you today to reschedule.",
        ),
        (
            "Month-end close slipped because reconciliation was down for six hours with no status update from you.",
            "The incident report is attached, and status updates will now go to your finance team by email.",
        ),
    ),
    "praise": (
        (
            "We closed the books in four days this month for the first time. Thank you to the implementation team.",
            "I've passed this on to your implementation manager.",
        ),
        (
            "Thanks to your support team for sorting out the bank feed so quickly.",
            "I'll pass it on to the team.",
        ),
    ),
    "upgrade_inquiry": (
        (
            "We're on {plan} and now need SSO and more entities. What is involved in moving to Scale?",
            "Scale adds SSO and SCIM and up to 10 entities; your account manager will send a quote.",
        ),
        (
            "We are adding two subsidiaries next quarter. Can we add entities mid-contract?",
            "Yes, on Scale extra entities are $50 per entity per month and can be added any time.",
        ),
        (
            "What would it cost to move from Starter to Growth for the spend controls?",
            "Growth is $199 a month, or $169.15 a month billed annually, and includes spend controls for up to "
            "50 cards.",
        ),
    ),
}
