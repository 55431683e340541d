"""Auto-responses and follow-ups: the acknowledgement of a new ticket, a reminder to a customer who
has not answered, closing tickets left pending, and the request for a rating after resolution
(see docs/automation.md)."""
