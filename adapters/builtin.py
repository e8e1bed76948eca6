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
