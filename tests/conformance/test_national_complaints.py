from hub.conformance.pytest_plugin import conformance_tests

test_national_complaints = conformance_tests("national_complaints")
