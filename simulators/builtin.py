"""The simulators shipped with the hub: the modules that register them (one line each)."""

BUILTIN_SIMULATOR_MODULES = (
    "simulators.credit_platform",
    "simulators.departmental",
    "simulators.hotline_12345",
    "simulators.platform_12315",
)
