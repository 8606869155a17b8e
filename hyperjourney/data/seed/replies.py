"""English agent reply framing and customer follow-ups: the other half of a ticket thread.

The substance of each first reply is paired with its request in ``text.BODIES``; this module holds
the empathy, escalation notes, closings and later turns around it.
"""

from __future__ import annotations

EMPATHY = {
    "very_negative": (
        "I'm really sorry, this is not the experience we want you to have.",
        "I completely understand your frustration and I apologise.",
        "You're right to be upset, and I'm sorry it took this long.",
    ),
    "negative": ("Sorry for the trouble with this.", "I'm sorry about the hassle.", "Thanks for your patience."),
    "neutral": ("Thanks for reaching out.", "Happy to help with this.", "Thanks for getting in touch."),
    "positive": ("Thank you for the kind words!", "Great to hear from you!", "Thanks so much for writing in."),
}
ESCALATED = (
    "I've escalated this to our {team} team; a specialist will contact you within {within}.",
    "This is now a priority case with a senior specialist on our {team} team, who will reach you within {within}.",
)
# (team, response time) per escalation reason, as in the support escalation policy.
ESCALATION_TEAMS = {
    "legal_threat": ("customer relations", "1 business day"),
    "chargeback": ("billing", "1 business day"),
    "safety": ("Product Safety", "1 hour"),
    "data_breach": ("Security", "1 hour"),
    "high_value": ("customer relations", "4 hours"),
}
AGENT_CLOSINGS = (
    "Let me know if there's anything else I can do.",
    "Have a great day.",
    "Reply to this email if you need anything else.",
    "",
)
AGENTS = ("Alex", "Priya", "Marco", "Hannah", "Jordan", "Sofia", "Ken", "Amara", "Luis", "Nina")
# (customer follow-up, the agent's last word) by how the thread is going.
FOLLOW_UPS = {
    "resolved": (
        ("That worked, thank you!", "Glad that's sorted! I'll close this ticket now."),
        ("Perfect, all sorted. Thanks for the quick help.", "Happy to help, enjoy the rest of your week."),
        ("Got it, thanks.", "You're welcome. I'll mark this as solved."),
        ("Great, appreciate it.", "Any time! Closing this one out."),
    ),
    "unresolved": (
        (
            "It's been {days} days and still nothing.",
            "I'm sorry it's still not fixed. I've chased the team again and will update you by tomorrow.",
        ),
        (
            "That didn't fix it, same problem.",
            "Thanks for trying. I've passed it to a specialist with your details, so you won't need to repeat them.",
        ),
        (
            "This is the second time I'm asking. Please actually read my message.",
            "You're right, and I'm sorry. I've re-read the thread and escalated it with a priority note.",
        ),
        ("Still waiting. Can someone call me?", "Of course. I've booked a call back for tomorrow morning."),
    ),
    "neutral": (
        ("Ok, I'll wait for the email.", "Sounds good; it should be with you within the hour."),
        ("Thanks, one more question: does this apply to my other order too?", "Yes, it applies to that order too."),
        ("Understood. Will the credit show on my next invoice?", "Yes, it will appear on your next invoice."),
    ),
}
