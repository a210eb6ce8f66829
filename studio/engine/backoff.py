"""The one reconnect/backoff policy: how long a retry loop waits after each failure.

Every loop that retries something that went away (stream outputs, video sources, microphones,
network feeds, the link-push webhook, the Twitch chat connector) uses this, each with its own
numbers:

    policy = ReconnectPolicy(first_delay_ms=500, factor=2.0, max_delay_ms=10_000, jitter_fraction=0.2)
    backoff = Backoff(policy)
    while running:
        if try_once():            # it worked (for a while): the next outage starts over
            backoff.reset()
        if backoff.exhausted:     # only with max_retries
            give_up()
        wait_ms(backoff.next_delay_ms())

The n-th consecutive failure (n = 0, 1, 2...) waits first_delay_ms * factor**n, never more than
max_delay_ms, spread by up to ±jitter_fraction so that many clients cut off together do not all
come back on the same millisecond. The jittered delay is still clamped to max_delay_ms: the cap
is a real bound. Everything is integer milliseconds; callers convert once, at the wait.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """The numbers of one retry loop (see the module doc). Immutable: share it freely."""

    first_delay_ms: int
    factor: float
    max_delay_ms: int
    jitter_fraction: float = 0.0  # 0.2: each delay is drawn from nominal ±20%
    max_retries: int | None = None  # None: retry for ever

    def __post_init__(self) -> None:
        if not isinstance(self.first_delay_ms, int) or self.first_delay_ms < 0:
            raise ValueError(f"ReconnectPolicy.first_delay_ms: expected whole milliseconds >= 0, got {self.first_delay_ms!r}")
        if not self.factor >= 1.0:
            raise ValueError(f"ReconnectPolicy.factor: expected a number >= 1 (delays never shrink), got {self.factor!r}")
        if not isinstance(self.max_delay_ms, int) or self.max_delay_ms < self.first_delay_ms:
            raise ValueError(
                f"ReconnectPolicy.max_delay_ms: expected whole milliseconds >= first_delay_ms "
                f"({self.first_delay_ms}), got {self.max_delay_ms!r}"
            )
        if not 0.0 <= self.jitter_fraction < 1.0:
            raise ValueError(f"ReconnectPolicy.jitter_fraction: expected 0 <= fraction < 1, got {self.jitter_fraction!r}")
        if self.max_retries is not None and (not isinstance(self.max_retries, int) or self.max_retries < 0):
            raise ValueError(f"ReconnectPolicy.max_retries: expected None or a count >= 0, got {self.max_retries!r}")

    def nominal_delay_ms(self, failures: int) -> int:
        """The wait after `failures` + 1 consecutive failures, before jitter: failures=0 is the first wait."""
        if failures < 0:
            raise ValueError(f"failures: expected a count >= 0, got {failures}")
        try:
            grown = self.first_delay_ms * self.factor**failures
        except OverflowError:  # long outages: factor**n leaves the float range long after the cap
            return self.max_delay_ms
        return min(self.max_delay_ms, round(grown))

    def delay_ms(self, failures: int, rng: random.Random) -> int:
        """The jittered wait after `failures` + 1 consecutive failures, within [0, max_delay_ms]."""
        nominal_ms = self.nominal_delay_ms(failures)
        if not self.jitter_fraction:
            return nominal_ms
        spread = rng.uniform(1.0 - self.jitter_fraction, 1.0 + self.jitter_fraction)
        return min(self.max_delay_ms, round(nominal_ms * spread))


class Backoff:
    """One retry loop's running state under a ReconnectPolicy: how many failures in a row.

    Used by one thread (the loop's own). `seed` makes the jitter repeatable (tests); by default
    each Backoff draws from its own unseeded generator, so two loops never jitter in step.
    """

    def __init__(self, policy: ReconnectPolicy, *, seed: int | None = None) -> None:
        self.policy = policy
        self.failures = 0  # consecutive failures since the last success (reset)
        self._rng = random.Random(seed)

    def next_delay_ms(self) -> int:
        """Count one more failure and return how long to wait before the next try."""
        delay_ms = self.policy.delay_ms(self.failures, self._rng)
        self.failures += 1
        return delay_ms

    def reset(self) -> None:
        """It worked: the next failure waits first_delay_ms again."""
        self.failures = 0

    @property
    def exhausted(self) -> bool:
        """True when max_retries waits have been handed out since the last reset: give up."""
        max_retries = self.policy.max_retries
        return max_retries is not None and self.failures >= max_retries
