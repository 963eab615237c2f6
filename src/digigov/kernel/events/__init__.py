"""Domain events through a transactional outbox: an event is a row written in the same
transaction as the change it announces, delivered at least once to every subscribed handler."""
