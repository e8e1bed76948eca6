"""Files in a local inbox folder (and the files given to ``hub ingest``)."""
