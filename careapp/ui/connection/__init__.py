"""This seat's database connection: this computer only, or a shared PostgreSQL server."""
