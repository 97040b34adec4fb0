"""Prints which libpq the driver was built with: proof that it loads."""
import psycopg2

print("libpq", psycopg2.__libpq_version__)
