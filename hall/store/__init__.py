"""The store: the database, its driver, models and migrations, the unit of work, audit events
and per-process memos.
"""
