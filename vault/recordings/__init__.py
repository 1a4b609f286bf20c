"""Recordings: ingest, metadata, encrypted variants and their playback."""
