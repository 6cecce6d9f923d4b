"""OpenAPI-to-Python client generator for the Spaces API."""
