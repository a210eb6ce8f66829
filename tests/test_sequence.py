"""Timed sequences (engine tier): every step lands on its offset from the tick the sequence
starts on; the link push reports that tick; a beep goes into program audio on its tick."""

from __future__ import annotations

import numpy as np
import pytest

from studio.app import build_engine
from studio.engine.audio.beep import beep_samples
from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import NS_PER_SECOND, SteppedClock
from studio.engine.errors import InputError
from studio.engine.sequence import Beep, HidePicture, LinkPush, ShowPicture
from tests.servers import poll_until

FPS = 30


@pytest.fixture
def stepped():
    clock = SteppedClock()
    engine = build_engine(builtin_show("demo"), clock=clock)
    yield engine, clock
    engine.stop()


def run_to(clock, tick):
    clock.allow_until(tick * NS_PER_SECOND // FPS)
    poll_until(lambda: clock.waiting_for_ns == (tick + 1) * NS_PER_SECOND // FPS, 10, f"tick {tick}")


def white_box() -> np.ndarray:
    box = np.zeros((100, 100, 4), np.uint8)
    box[:] = (255, 255, 255, 255)
    return box


def test_steps_land_on_their_offsets_from_the_start_tick(stepped):
    engine, clock = stepped
    program = engine.open_video_tap("program", 192, 108)
    pushes, levels = [], []
    engine.events.link_pushed.connect(pushes.append)
    engine.events.audio_levels.connect(lambda item: levels.append(item.program_peak_db))
    engine.start()
    run_to(clock, 4)
    engine.run_sequence(
        [
            (0, ShowPicture("box", white_box(), 0, 0)),
            (0, Beep(beep_samples(880, 100, -6))),
            (10, HidePicture("box")),
            (10, LinkPush("p1", "Tee", "https://shop.example/p1")),
        ]
    )
    run_to(clock, 5)
    assert program.latest().rgb[2, 2].min() > 240  # the box is on from the next tick (5)
    assert levels[5] > levels[4] + 10  # the beep is in program audio on tick 5
    run_to(clock, 14)
    assert program.latest().rgb[2, 2].min() > 240 and pushes == []
    run_to(clock, 15)
    assert program.latest().rgb[2, 2].min() < 240  # hidden on 5 + 10
    assert [(p.product_id, p.tick, p.media_time_ns) for p in pushes] == [("p1", 15, 15 * NS_PER_SECOND // FPS)]


def test_a_sequence_can_start_at_a_media_time_and_refuses_negative_offsets(stepped):
    engine, clock = stepped
    pushes = []
    engine.events.link_pushed.connect(pushes.append)
    engine.start()
    engine.run_sequence([(90, LinkPush("p2", "Mug", None))], at_ns=4 * NS_PER_SECOND)
    run_to(clock, 210)
    assert [p.tick for p in pushes] == [120 + 90]
    with pytest.raises(InputError, match="cannot start before"):
        engine.run_sequence([(-1, HidePicture("x"))])
