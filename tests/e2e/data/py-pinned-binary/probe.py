"""Prints the libpq version the PostgreSQL driver was built against (loading the driver needs libpq)."""
import psycopg2

print("libpq", psycopg2.__libpq_version__)
