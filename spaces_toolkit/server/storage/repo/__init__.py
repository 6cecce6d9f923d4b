"""Data access per resource: the only code that writes SQL. Handlers call these functions."""
