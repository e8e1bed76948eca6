"""The simulators shipped with the hub: the modules that register them (one line each)."""

BUILTIN_SIMULATOR_MODULES = (
    "simulators.credit_platform",
    "simulators.credit_publicity",
    "simulators.departmental",
    "simulators.government_services",
    "simulators.hotline_12345",
    "simulators.knowledge_feeds",
    "simulators.national",
    "simulators.platform_12315",
)
