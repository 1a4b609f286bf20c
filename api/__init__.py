"""The HTTP API: a thin FastAPI shell over ``vault``."""
