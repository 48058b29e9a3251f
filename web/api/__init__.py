"""The JSON API: thin handlers that parse input, call one hall service and answer JSON;
routes.py is the one route table.
"""
