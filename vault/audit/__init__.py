"""The access log: append-only, hash-chained, with signed checkpoints.

Every read of a recording, transcript or export, allowed or denied, appends one entry that
commits to the one before it (``chain``); every so often, and whenever the log is verified,
the tip is signed with an Ed25519 key (``signing``), so that rewriting, deleting or truncating
entries shows, even by someone who can lift the database's append-only triggers. ``service``
appends, checkpoints, verifies and reads; entries hold ids and short codes, never personal data.

Callers import the service as a module: ``from vault.audit import service as audit``.
"""
