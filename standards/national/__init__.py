"""The national message profile: the JSON schemas of this folder, and what both sides of the
exchange need to apply them (README.md here is the profile's text)."""
