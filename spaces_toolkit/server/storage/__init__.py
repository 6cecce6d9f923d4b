"""Storage: the only code that writes SQL. The `Database`/`Transaction` protocol and its SQLite and
PostgreSQL backends, the migrations, the SQL per resource (`repo/`) and what builds on it."""
