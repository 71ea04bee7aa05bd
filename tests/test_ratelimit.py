from __future__ import annotations

from bustrack.ratelimit import TokenBucket


def test_a_burst_is_allowed_then_refused() -> None:
    bucket = TokenBucket.full(rate=5, burst=10, now=0.0)
    assert all(bucket.take(0.0) for _ in range(10))
    assert not bucket.take(0.0)


def test_tokens_come_back_at_the_rate_up_to_the_burst() -> None:
    bucket = TokenBucket.full(rate=5, burst=10, now=0.0)
    for _ in range(10):
        bucket.take(0.0)
    assert bucket.take(0.2)  # one token back after 1/5 s
    assert not bucket.take(0.2)
    # A long pause refills the bucket to the burst, not beyond.
    assert sum(bucket.take(100.0) for _ in range(20)) == 10


def test_a_steady_sender_under_the_rate_is_never_refused() -> None:
    bucket = TokenBucket.full(rate=5, burst=3, now=0.0)
    assert all(bucket.take(i * 0.25) for i in range(1000))  # 4 messages a second


def test_a_steady_sender_over_the_rate_is_refused_after_the_burst() -> None:
    bucket = TokenBucket.full(rate=5, burst=10, now=0.0)
    taken = [bucket.take(i * 0.01) for i in range(100)]  # 100 a second for a second
    assert taken[:10] == [True] * 10
    assert 10 <= sum(taken) <= 16  # the burst and the second's refill


def test_time_going_backwards_gives_no_tokens() -> None:
    bucket = TokenBucket.full(rate=5, burst=1, now=10.0)
    assert bucket.take(10.0)
    assert not bucket.take(5.0)
