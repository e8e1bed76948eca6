from hub.conformance.pytest_plugin import conformance_tests

test_government_services = conformance_tests("government_services")
