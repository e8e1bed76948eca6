"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) for the public complaints.

- ``formats``: a document in the spec's XML (with lxml) or JSON (the Spark convention);
- ``documents``: the spec's documents from the complaint categories and public case views;
- ``filters``: the arguments of ``GET requests`` (dates, status, comma lists);
- ``locations``: the region an address names, for complaints filed without a region code.

The router is :mod:`hub.api.routers.open311`.
"""
