"""Human handoff: duty hours of the advisors, tickets and the relay between a person and an advisor."""
