"""Calling: tickets, windows, the hall context and lock, numbering, the queue copy and its
writer, wait estimates, the board and the read views.
"""
