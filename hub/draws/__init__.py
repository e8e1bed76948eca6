"""Random inspection draws that anyone can verify (双随机、一公开).

One list, two libraries: a plan names catalog items (the random-inspection item list), an
entity filter (the entity library) and who may inspect (the inspector library). A draw is
frozen, committed, keyed by a public value, drawn, revealed and staffed; ``hub draw verify``
and ``GET /api/v1/public/draws/{id}`` re-run it. See ``hub/draws/README.md``.

Modules, each doing one thing:

- ``algorithm``: canonical JSON, digests, commitment, draw key, keyed weighted picks (pure);
- ``assignment``: inspector teams (pure);
- ``plan``: the plan document and its defaults;
- ``caps``: the frequency cap (at most K draws a year per entity, exempt classes);
- ``library``: candidate lists (streamed) and the inspector pool, read from the store;
- ``stored``: the frozen lists and results, written and read back in hashed order;
- ``ranking``: a stratum's picks from the store, each draw number resolved by an index lookup on the frozen cumulative weights;
- ``statistics``: drawn per class, workload, problem rates, for the work API;
- ``auditing``: each step in the audit log;
- ``service``: the steps, from draft to assigned;
- ``verification``: the re-run and its checks.
"""
