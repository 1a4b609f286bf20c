"""Recognizers for English forms: UK and US addresses and names."""
