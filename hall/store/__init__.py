"""hall.store."""
