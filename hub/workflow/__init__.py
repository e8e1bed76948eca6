"""The workflow engine: workflows declared as data, fired with checks, timed in working days.

See ``hub/workflow/README.md``. The pieces:

- :mod:`hub.workflow.definition`: ``standards/workflows/<name>.yaml``, validated;
- :mod:`hub.workflow.roles`: who fires (``Actor``) and which roles they hold;
- :mod:`hub.workflow.engine`: ``start``, ``fire``, ``available``, ``instance_of``;
- :mod:`hub.workflow.timing`: deadlines, reminder and escalation rules;
- :mod:`hub.workflow.deadlines`: the hourly check sending reminders and escalations once.
"""

from __future__ import annotations

from hub.workflow.definition import WorkflowDefinition, load_workflow
from hub.workflow.engine import available, fire, instance_of, start
from hub.workflow.errors import MissingFields, RoleRefused, StaleState, TransitionRefused
from hub.workflow.roles import Actor

__all__ = [
    "Actor",
    "MissingFields",
    "RoleRefused",
    "StaleState",
    "TransitionRefused",
    "WorkflowDefinition",
    "available",
    "fire",
    "instance_of",
    "load_workflow",
    "start",
]
