"""Complaint cases (投诉举报) on the workflow engine: intake, merging (并单), routing, triage,
handling, status flowing back, public and work views. See ``hub/cases/README.md``."""
