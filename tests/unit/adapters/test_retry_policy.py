"""The adapters' retry policy: doubling backoff with jitter, capped, a given number of tries."""

from __future__ import annotations

from adapters.retry import RetryPolicy


def test_backoff_doubles_with_jitter_until_the_tries_run_out() -> None:
    policy = RetryPolicy(attempts=4, backoff=1.0, max_wait=60)
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0)):
        wait = policy.wait(attempt)
        assert wait is not None and ceiling / 2 <= wait <= ceiling
    assert policy.wait(4) is None


def test_backoff_is_capped_and_a_longer_retry_after_gives_up() -> None:
    policy = RetryPolicy(attempts=10, backoff=1.0, max_wait=3)
    assert all((policy.wait(8) or 0) <= 3 for _ in range(50))
    assert policy.wait(1, retry_after=2.5) == 2.5
    assert policy.wait(1, retry_after=30) is None


def test_settings_fill_in_the_defaults() -> None:
    assert RetryPolicy.from_settings({}, attempts=1) == RetryPolicy(1, 0.5, 60)
    given = {"retry": {"attempts": 3, "backoff_seconds": 0.1, "max_wait_seconds": 5}}
    assert RetryPolicy.from_settings(given, attempts=5) == RetryPolicy(3, 0.1, 5)
