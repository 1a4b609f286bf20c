"""Call-recording vault: the domain core.

Nothing in this package imports FastAPI or Celery; the HTTP API (``api``) and the workers
(``workers``) are thin shells around the services defined here.
"""
