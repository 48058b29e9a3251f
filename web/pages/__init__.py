"""The server-rendered pages; routes.py is the one route table."""
