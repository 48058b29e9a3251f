"""hall.calling."""
