"""HTTP: the API's routes, request validation, auth and HTTP-level middleware."""
