from hub.conformance.pytest_plugin import conformance_tests

test_credit_publicity = conformance_tests("credit_publicity")
