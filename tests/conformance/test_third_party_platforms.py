from hub.conformance.pytest_plugin import conformance_tests

test_third_party_platforms = conformance_tests("third_party_platforms")
