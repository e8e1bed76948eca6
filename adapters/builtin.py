"""The adapters shipped with the hub, by name and the module that registers each.

Modules are imported only when their adapter is asked for, so loading a channel file, the
registry or an Airflow DAG never imports paramiko, pika or zeep.
"""

BUILTIN_ADAPTERS = {
    "file": "adapters.file.client",
    "rest": "adapters.rest.client",
    "soap": "adapters.soap.client",
    "sftp": "adapters.sftp.client",
    "amqp": "adapters.amqp.client",
}

# Each built-in adapter's ``capabilities``, known without importing its module: Airflow's DAG
# files choose a channel's tasks from them at parse time. A unit test keeps them equal to the
# classes' own declarations.
BUILTIN_CAPABILITIES = {
    "file": frozenset({"fetch"}),
    "rest": frozenset({"fetch", "push", "paginate", "incremental"}),
    "soap": frozenset({"fetch", "push", "paginate", "incremental", "idempotent_push"}),
    "sftp": frozenset({"fetch", "push"}),
    "amqp": frozenset({"fetch", "push", "acknowledge", "dead_letter", "reconnect"}),
}
