"""The local SQLite cache: schema and migrations, the single writer thread, pure write
functions run through it, short paged reads for the UI and CLI, FTS search and the outbox.

Nothing here imports Qt or providers; everything speaks `inbox_app.core` types.
"""
