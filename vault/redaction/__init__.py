"""Redaction engine: finds personal data in call transcripts and replaces it."""
