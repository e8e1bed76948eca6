"""The supervision item catalog (监管事项目录清单): coding, lifecycle, claims, responsibility,
legal-basis links, implementation lists, conflicts and import guards, export to the national
format and statistics. See ``hub/catalog/README.md``.

One module per job; they share the store models in :mod:`hub.store.models.catalog` and the
code tables in ``standards/catalog`` (read by :mod:`hub.catalog.dictionaries`).
"""
