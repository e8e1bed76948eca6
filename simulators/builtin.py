"""The simulators shipped with the hub; importing this module registers them (one line each)."""
