"""The HTTP API (FastAPI): the public contract of CONTRACT.md, on top of the services."""
