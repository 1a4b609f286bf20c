"""Envelope encryption of stored objects.

``stream`` seals an object in fixed-size AES-256-GCM segments (the STREAM construction of Tink
streaming AEAD and age), so that it can be encrypted while it uploads and a byte range can be
decrypted without reading the rest; ``wrap`` wraps one key with another. Both use the
``cryptography`` package's AEAD primitives and invent none.
"""
