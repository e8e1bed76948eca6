from hub.conformance.pytest_plugin import conformance_tests

test_departmental_events = conformance_tests("departmental_events")
