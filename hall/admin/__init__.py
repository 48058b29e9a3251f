"""Administration: configuration edits and account administration."""
