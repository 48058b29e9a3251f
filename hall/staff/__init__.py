"""hall.staff."""
