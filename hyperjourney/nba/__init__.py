"""Next-best action: candidates, scoring on value, risk and fatigue, policy filtering and a weighted blend."""
