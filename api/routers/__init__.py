"""Routers: each mounted under the gated ``/api/v1`` parent, or listed as public in app.py."""
