"""Collaboration between departments on the workflow engine (see ``README.md`` here).

- :mod:`hub.collaboration.notices`: 抄告抄送, a lead sent to other departments;
- :mod:`hub.collaboration.assistance`: 协查协办, a request for another department's help;
- :mod:`hub.collaboration.campaigns`: 专项整治, campaigns, their tasks and completion;
- :mod:`hub.collaboration.routing` and :mod:`hub.collaboration.approvals`: 审批联动,
  licensing cases claimed and supervised by the responsible department;
- :mod:`hub.collaboration.common`: what the four share (instances, departments, feedback).
"""
