"""The customer-facing assistant's domain: conversations, learnt traits, calendar, leads, carts, trials, hand-off."""
