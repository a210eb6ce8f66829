"""The one reconnect/backoff policy (studio.engine.backoff) and the numbers each retry loop uses."""

from __future__ import annotations

import random

import pytest

from studio.comments.twitch import TWITCH_RECONNECT_POLICY
from studio.commerce.link_webhook import LINK_WEBHOOK_RETRY_POLICY
from studio.engine.audio.microphone import MicrophoneTuning
from studio.engine.backoff import Backoff, ReconnectPolicy
from studio.engine.outputs.stream import STREAM_RECONNECT_POLICY
from studio.engine.sources.capture import SOURCE_REOPEN_POLICY


def test_delays_grow_by_the_factor_up_to_the_cap():
    policy = ReconnectPolicy(first_delay_ms=250, factor=2.0, max_delay_ms=5000)
    backoff = Backoff(policy)
    assert [backoff.next_delay_ms() for _ in range(8)] == [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]
    assert backoff.failures == 8


def test_a_fractional_factor_gives_whole_milliseconds():
    policy = ReconnectPolicy(first_delay_ms=1000, factor=1.5, max_delay_ms=30_000)
    delays = [policy.nominal_delay_ms(n) for n in range(10)]
    assert delays == [1000, 1500, 2250, 3375, 5062, 7594, 11391, 17086, 25629, 30000]
    assert all(type(delay) is int for delay in delays)


def test_a_very_long_outage_stays_at_the_cap():
    policy = ReconnectPolicy(first_delay_ms=500, factor=2.0, max_delay_ms=10_000, jitter_fraction=0.2)
    assert policy.nominal_delay_ms(5000) == 10_000  # 2.0 ** 5000 is past the float range
    assert policy.delay_ms(5000, random.Random(1)) <= 10_000


def test_jitter_stays_within_its_fraction_and_under_the_cap():
    policy = ReconnectPolicy(first_delay_ms=1000, factor=2.0, max_delay_ms=30_000, jitter_fraction=0.2)
    rng = random.Random(7)
    for failures, nominal_ms in ((0, 1000), (1, 2000), (3, 8000), (4, 16_000)):
        delays = [policy.delay_ms(failures, rng) for _ in range(200)]
        assert all(0.8 * nominal_ms <= delay <= 1.2 * nominal_ms for delay in delays), (failures, delays)
        assert min(delays) < nominal_ms < max(delays)  # spread both ways, not a constant offset
    capped = [policy.delay_ms(10, rng) for _ in range(200)]
    assert all(24_000 <= delay <= 30_000 for delay in capped)  # the cap bounds the jittered delay too
    assert len(set(capped)) > 1


def test_a_seed_makes_the_jitter_repeatable():
    policy = ReconnectPolicy(first_delay_ms=1000, factor=2.0, max_delay_ms=30_000, jitter_fraction=0.2)
    def six_delays(seed: int) -> list[int]:
        backoff = Backoff(policy, seed=seed)
        return [backoff.next_delay_ms() for _ in range(6)]

    assert six_delays(42) == six_delays(42)
    assert six_delays(42) != six_delays(43)


def test_reset_after_success_starts_over_from_the_first_delay():
    backoff = Backoff(ReconnectPolicy(first_delay_ms=500, factor=2.0, max_delay_ms=10_000))
    assert [backoff.next_delay_ms() for _ in range(4)] == [500, 1000, 2000, 4000]
    backoff.reset()
    assert backoff.failures == 0
    assert [backoff.next_delay_ms() for _ in range(2)] == [500, 1000]


def test_max_retries_exhausts_and_reset_renews():
    backoff = Backoff(ReconnectPolicy(first_delay_ms=10, factor=2.0, max_delay_ms=100, max_retries=2))
    assert not backoff.exhausted
    backoff.next_delay_ms()
    backoff.next_delay_ms()
    assert backoff.exhausted
    backoff.reset()
    assert not backoff.exhausted
    assert not Backoff(ReconnectPolicy(first_delay_ms=10, factor=2.0, max_delay_ms=100)).exhausted


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"first_delay_ms": -1}, "first_delay_ms"),
        ({"first_delay_ms": 0.5}, "first_delay_ms"),  # milliseconds are whole
        ({"factor": 0.5}, "factor"),
        ({"factor": float("nan")}, "factor"),
        ({"max_delay_ms": 100}, "max_delay_ms"),  # below the first delay
        ({"jitter_fraction": 1.0}, "jitter_fraction"),
        ({"jitter_fraction": -0.1}, "jitter_fraction"),
        ({"max_retries": -1}, "max_retries"),
    ],
)
def test_bad_numbers_are_refused_naming_the_field(fields, named):
    numbers = {"first_delay_ms": 1000, "factor": 2.0, "max_delay_ms": 30_000, **fields}
    with pytest.raises(ValueError, match=named) as refused:
        ReconnectPolicy(**numbers)
    assert repr(fields[named]) in str(refused.value)


def test_each_retry_loop_keeps_its_numbers():
    # (first delay, factor, cap, jitter) as each loop had them before they shared the policy;
    # network audio now takes the video sources' jitter too.
    assert (STREAM_RECONNECT_POLICY.first_delay_ms, STREAM_RECONNECT_POLICY.factor, STREAM_RECONNECT_POLICY.max_delay_ms) == (1000, 1.5, 30_000)
    assert STREAM_RECONNECT_POLICY.jitter_fraction == 0.1
    assert Backoff(SOURCE_REOPEN_POLICY).policy.nominal_delay_ms(0) == 500
    assert SOURCE_REOPEN_POLICY.max_delay_ms == 10_000 and SOURCE_REOPEN_POLICY.jitter_fraction == 0.2
    microphone = MicrophoneTuning().reopen_policy
    assert [microphone.nominal_delay_ms(n) for n in range(6)] == [250, 500, 1000, 2000, 4000, 5000]
    assert microphone.jitter_fraction == 0.0  # exact waits on the virtual clock
    for policy in (LINK_WEBHOOK_RETRY_POLICY, TWITCH_RECONNECT_POLICY):
        assert [policy.nominal_delay_ms(n) for n in range(7)] == [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]
        assert policy.jitter_fraction == 0.2
