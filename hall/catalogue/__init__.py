"""hall.catalogue."""
