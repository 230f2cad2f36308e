"""Call sessions: what the statuses and end reasons mean, and counts over a set of sessions."""
