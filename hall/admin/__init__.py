"""hall.admin."""
