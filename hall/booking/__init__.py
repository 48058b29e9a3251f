"""Booking: appointments, slots and seats, booking rules and credit, identity data, check-in
and slot overrides.
"""
