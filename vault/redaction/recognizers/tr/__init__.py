"""Recognizers for Turkish forms: T.C. kimlik, VKN, addresses, names with Bey/Hanım."""
