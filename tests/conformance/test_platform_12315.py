from hub.conformance.pytest_plugin import conformance_tests

test_platform_12315 = conformance_tests("platform_12315")
