"""The hall as a business: one subpackage (room) per capability, each importing only the rooms
below it.
"""
