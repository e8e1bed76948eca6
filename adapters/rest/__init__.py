"""JSON over HTTP(S): paged and incremental pulls, idempotent pushes (``adapter.type: rest``)."""
