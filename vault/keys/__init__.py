"""Key hierarchy: master keyring → per-subject key-encryption keys → per-object data keys."""
