"""The live what-if: the rest of today projected from the hall's state right now."""
