"""National docking (国家"互联网+监管"系统): push, reconcile, serve and pull.

Modules, one job each:

- ``signing``: SM2/SM3, ECDSA P-256 and RSA-PSS signatures over one canonical request text;
- ``config``: ``mappings/national_push/push.yaml`` and the signed REST adapter built from it;
- ``profile``: the national schemas (``standards/national``), keys, checksum;
- ``messages``: the hub's records as national messages, one function per data type;
- ``push``: plan i/u/d from the push log, batch, sign, send, settle receipts;
- ``rejections``: what was refused or held, and replaying it;
- ``reconcile``: per day and data type, the hub's accepted keys against the national query;
- ``pull``: an entity's records in other regions and State Council departments;
- ``callers``: authenticating the national system's calls to ``/api/v1/national/``.
"""
