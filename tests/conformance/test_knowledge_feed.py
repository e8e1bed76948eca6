from hub.conformance.pytest_plugin import conformance_tests

test_knowledge_feed = conformance_tests("knowledge_feed")
