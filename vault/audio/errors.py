"""Why an upload is refused. Messages are for people and never quote the file's bytes."""

from __future__ import annotations


class NotAudio(ValueError):
    """The upload does not start like any audio container we accept (HTTP 415)."""


class BadAudio(ValueError):
    """The upload looks like audio but is damaged, empty or out of bounds (HTTP 422)."""
