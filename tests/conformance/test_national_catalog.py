from hub.conformance.pytest_plugin import conformance_tests

test_national_catalog = conformance_tests("national_catalog")
