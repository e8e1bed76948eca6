"""Hostnames for Celery workers that share one machine, so their task instances can be told apart.

Airflow records where a task instance ran with ``[core] hostname_callable``; by default every
worker on one machine reports the same fully qualified name. The distributed-stack test
(``tests/e2e/test_airflow_distributed.py``) starts two workers side by side, each with
``AIRFLOW__CORE__HOSTNAME_CALLABLE=tests.e2e.worker_names.worker_hostname`` and its own
``HUB_E2E_WORKER_NAME``; processes without that variable (scheduler, api-server) keep the
machine's name.
"""

from __future__ import annotations

import os
import socket

WORKER_NAME_VARIABLE = "HUB_E2E_WORKER_NAME"


def worker_hostname() -> str:
    """``HUB_E2E_WORKER_NAME`` when set, else the machine's fully qualified name."""
    return os.environ.get(WORKER_NAME_VARIABLE) or socket.getfqdn()
