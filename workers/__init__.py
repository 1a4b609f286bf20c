"""Celery: the app, thin tasks (ids in, one call into ``vault``), and the embedded worker."""
