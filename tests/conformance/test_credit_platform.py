from hub.conformance.pytest_plugin import conformance_tests

test_credit_platform = conformance_tests("credit_platform")
