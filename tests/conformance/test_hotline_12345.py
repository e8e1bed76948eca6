from hub.conformance.pytest_plugin import conformance_tests

test_hotline_12345 = conformance_tests("hotline_12345")
