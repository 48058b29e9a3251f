"""hall.booking."""
