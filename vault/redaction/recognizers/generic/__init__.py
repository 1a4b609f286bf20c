"""Recognizers for every language."""
