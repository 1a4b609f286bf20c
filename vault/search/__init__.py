"""Search over redacted transcripts, Turkish-aware, on SQLite FTS5 or PostgreSQL full text.

Callers use ``service``: ``index_recording`` when a recording becomes ready, ``remove`` when
it leaves the index, ``search`` for a page of hits, ``reindex_all`` to rebuild everything.
"""
