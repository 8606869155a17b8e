"""Northwind Goods ticket requests paired with the answers agents gave, by intent; answers follow the returns,
shipping and fit guides in the knowledge base.
"""

from __future__ import annotations

GOODS: dict[str, tuple[tuple[str, str], ...]] = {
    "billing_question": (
        (
            "I was charged {amount} twice for order {order_id}. Can you check which charge is the real one?",
            "The second charge on {order_id} is a card pre-authorisation, not a payment; it drops off within 3-5 "
            "business days.",
        ),
        (
            "My card statement shows {amount} from Northwind but order {order_id} should have been less after my "
            "discount code. Why the difference?",
            "The code applied to the subtotal only; the rest is tax. I've attached the breakdown for {order_id}.",
        ),
        (
            "Could you send me an invoice for order {order_id} with the tax shown separately? I need it for expenses.",
            "I've attached an invoice for {order_id} with the tax shown on its own line.",
        ),
        (
            "The checkout page promised free shipping over $75 but I paid $6.95 shipping on {order_id}.",
            "The $75 threshold is checked after discounts, which took {order_id} just under it. As a one-off "
            "I've refunded the $6.95.",
        ),
        (
            "There is still a pending charge of {amount} on my card even though {order_id} was cancelled. When "
            "does the hold drop off?",
            "The order was cancelled before capture, so the hold is released by your bank, usually within 5 "
            "business days.",
        ),
    ),
    "refund_request": (
        (
            "I sent back the {product} from order {order_id} {days} days ago and still haven't seen the {amount} "
            "refund.",
            "Your return reached our warehouse and the refund for {order_id} was issued today; it usually shows "
            "within 5-7 business days.",
        ),
        (
            "I'd like a refund for the {product}, it's {fit_problem}. Order number {order_id}.",
            "I've emailed you a free prepaid return label. Once the return arrives we refund the original "
            "payment method within 5-7 business days.",
        ),
        (
            "The {product} arrived damaged ({defect}). I want my money back, not a replacement.",
            "Thanks for the photos. I've issued a full refund for {order_id}, including shipping, and you don't "
            "need to send it back.",
        ),
        (
            "Please refund order {order_id}. I cancelled within an hour of ordering and was still charged {amount}.",
            "The cancellation went through and {order_id} will not ship; the {amount} refund is on its way to "
            "your card.",
        ),
        (
            "The {product} went on sale a week after I bought it. Can I get the price difference back?",
            "The price dropped within 14 days of delivery, so I've refunded the difference, once per item.",
        ),
        (
            "As a Trail Club member I have 60-day returns. I'd like to return the {product} ({order_id}) for a "
            "refund to my card.",
            "You're within your 60-day Trail Club window. The return label is in your inbox and the refund goes "
            "to your card once it arrives.",
        ),
    ),
    "shipping_delay": (
        (
            "My order {order_id} was due {days} days ago. Tracking hasn't moved since it left the warehouse.",
            "I've opened a trace with the carrier for {order_id}; it takes up to 5 business days, and if it "
            "isn't found we send a free replacement.",
        ),
        (
            "Where is my package? Order {order_id}, placed on {date}.",
            "{order_id} is at your local depot and scheduled for delivery tomorrow.",
        ),
        (
            "Tracking says delivered but there is nothing at my door or with the neighbours. Order {order_id}.",
            "I've opened a trace with the carrier. If the parcel isn't found we'll replace {order_id} or refund "
            "it in full.",
        ),
        (
            "I paid $14.95 for express shipping on {order_id} and it has now been {days} days.",
            "The delay was on our side, so I've refunded the $14.95 express fee.",
        ),
        (
            "I need the {product} for a race this weekend and order {order_id} still says processing.",
            "I've upgraded {order_id} to express at no cost; it should arrive in 1-2 business days.",
        ),
        (
            "The carrier marked {order_id} as 'delivery exception'. What does that mean and when will it arrive?",
            "A delivery exception means the carrier couldn't complete delivery, usually a missing apartment "
            "number. I've confirmed the address with them.",
        ),
    ),
    "product_question": (
        (
            "Is the {product} a good choice for flat feet? I overpronate a little.",
            "Many runners with low arches start with the Stratus Support, which has a firm medial post designed "
            "to limit inward roll. It isn't medical advice: for ongoing pain a podiatrist is the best person to "
            "ask.",
        ),
        (
            "Does the Ridge Hiker come in a wide (2E) width, and does it run small?",
            "Yes, it comes in 2E for men and D for women, and it runs slightly small: go up half a size with "
            "thick socks.",
        ),
        (
            "Can I put my custom orthotics in the Harbor Walker?",
            "Yes, the Harbor Walker has extra depth and a removable footbed, so most custom orthotics fit.",
        ),
        (
            "Is the Squall Shell properly waterproof or just water resistant? Planning a wet trip.",
            "It's a waterproof-breathable shell rated 10,000 mm with taped seams.",
        ),
        (
            "What's the real difference between the Stratus Support and the Stratus Neutral?",
            "The Support has a medial post for runners who overpronate; the Neutral suits medium to high arches.",
        ),
        (
            "The {product} shows sold out in my size. Will it be back soon?",
            "We expect a restock within a few weeks; the 'notify me' button on the product page emails you.",
        ),
        (
            "Do you ship the Trail Pocket Knife to Canada?",
            "Age-gated items ship only to US addresses where their sale is allowed, so not to Canada, sorry.",
        ),
    ),
    "sizing_fit": (
        (
            "I normally wear a {size} but the {product} is tight in the toe box. Should I go up half a size?",
            "Going up half a size usually helps with a tight toe box, and exchanges are free in the US.",
        ),
        (
            "The {product} in {size} is far too big. Can I exchange it for a {other_size}?",
            "I've started a free exchange for size {other_size}; the label is in your inbox and we ship the new "
            "pair as soon as the carrier scans your return.",
        ),
        (
            "I'm between {size} and {other_size}. Which one for the Ridge Hiker with thick socks?",
            "Go with {other_size}: the Ridge Hiker runs slightly small, especially with thick socks.",
        ),
        (
            "Is there a wide version of the {product}? The regular width squeezes my feet.",
            "Most of our footwear comes in a wide width, and I can swap yours at no cost.",
        ),
        (
            "The {product} fits in length but rubs on the sides. Would the wide fit help?",
            "A wide width should help; I've set up a free exchange so you can try it.",
        ),
        (
            "What sock size do I need? I'm a men's {size}.",
            "Men's 9-12 is an L, 12.5-15 an XL, and 6-8.5 an M.",
        ),
    ),
    "complaint": (
        (
            "The {product} is not what I expect for {amount}. The stitching is coming apart after two weeks.",
            "That's covered by our 1-year defect warranty; I've started a warranty replacement.",
        ),
        (
            "I waited on hold for 45 minutes and then the call dropped.",
            "I'm sorry about the wait; I've added a note to your account so you won't need to explain again.",
        ),
        (
            "I keep getting sale emails after unsubscribing. Five this week alone.",
            "I've confirmed you're unsubscribed from marketing; a sync delay caused the extra emails.",
        ),
        (
            "The replacement for {order_id} came in the wrong size again.",
            "I've sent the right size by express at no cost, with a label for the wrong pair.",
        ),
        (
            "Your 'free returns' aren't free if I have to drive half an hour to a drop-off point.",
            "You can also book a free carrier pickup from the returns page; I've sent you the link.",
        ),
    ),
    "praise": (
        (
            "The {product} is the most comfortable pair I've owned. Long runs feel so much better.",
            "I've passed your message on to the product team.",
        ),
        (
            "The exchange was painless, the new size arrived in two days.",
            "Glad the exchange went smoothly!",
        ),
        (
            "Ran my first half marathon in the Stratus Support. No blisters at all!",
            "Congratulations on the race!",
        ),
        (
            "The {product} kept me dry through three days of rain on the trail.",
            "Love hearing that, happy trails!",
        ),
    ),
}
