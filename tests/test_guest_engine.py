"""The engine side of guests (连麦), engine tier: a real engine on a stepped virtual clock, with
the guest service stood in for by a thread of its own that pushes into the engine's GuestFeed
what the service would (decoded frames, 48 kHz audio). No mocks: frames go through the guest
source's capture thread and the program, sound through the feed's ring and the mixer.

- frames pushed from the service's thread are on program; a guest that stops sending shows the
  NO SIGNAL slate after 1.5 s (not a camera's 500 ms), and comes back with its next frame;
- a reconnect's stale session cannot put its frames on program;
- an edit that replaces the guest's source keeps the call (the same feed, the sound still
  live); removing the guest closes its feed;
- each guest's mix-minus has the host and the other guest but not themself (FFT of the taps),
  and the device bus has neither guest;
- tokens: made for a guest added without one, saved plainly, never quoted in an error.
"""

from __future__ import annotations

import copy
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from studio import show_editing as edits
from studio.engine.audio.mixer import AudioMixer, MixerChannel
from studio.engine.audio.tap import AudioTap
from studio.engine.audio.tone import ToneSource
from studio.engine.builtin_shows import demo_show_data
from studio.engine.clock import NS_PER_MS, NS_PER_SECOND, SteppedClock
from studio.engine.engine import Engine
from studio.engine.errors import InputError
from studio.engine.frames import solid_frame
from studio.engine.show import AudioInputSpec, load_show, parse_show, save_show
from studio.engine.sources.base import AudioStatus, SourceStatus
from studio.engine.sources.guest import GUEST_KIND
from studio.engine.sources.registry import default_registry
from studio.engine.sources.slate import SLATE_RGB
from tests.bounded import GENEROUS_LIMIT_S
from tests.servers import poll_until

FPS = 30
BLOCK_SAMPLES = 48_000 // FPS
RED, GREEN, BLUE = (200, 40, 40), (40, 160, 60), (40, 70, 200)
TOKEN_A = "guest-a-token-0123456789abcdef"
TOKEN_B = "guest-b-token-0123456789abcdef"
HOST_HZ, GUEST_A_HZ, GUEST_B_HZ = 440.0, 1000.0, 1500.0
GUEST_AMPLITUDE = 0.1  # -20 dBFS, the level of the host's tone


def guest_show_data() -> dict:
    return {
        "schema_version": 1,
        "name": "Two guests",
        "canvas": {"width": 640, "height": 360, "fps": FPS},
        "sources": [
            {"id": "host", "name": "Host", "kind": "colour", "settings": {"colour": list(RED), "width": 640, "height": 360}},
            {"id": "guest-a", "name": "Guest A", "kind": GUEST_KIND, "settings": {"token": TOKEN_A}},
            {"id": "guest-b", "name": "Guest B", "kind": GUEST_KIND, "settings": {"token": TOKEN_B}},
        ],
        "scenes": [
            {"id": "guest-a", "name": "GUEST A", "layout": {"kind": "full", "sources": ["guest-a"]}},
            {"id": "host", "name": "HOST", "layout": {"kind": "full", "sources": ["host"]}},
        ],
        "audio_inputs": [
            {"id": "host-voice", "name": "Host", "kind": "tone", "frequency_hz": HOST_HZ, "level_dbfs": -20},
            {"id": "voice-a", "name": "Voice A", "kind": "source_audio", "source": "guest-a"},
            {"id": "voice-b", "name": "Voice B", "kind": "source_audio", "source": "Guest B"},  # by name
        ],
        "program_scene": "GUEST A",
        "preview_scene": "HOST",
    }


def tick_ns(tick: int) -> int:
    return tick * NS_PER_SECOND // FPS


def run_to(clock: SteppedClock, tick: int) -> None:
    """Let the program render up to `tick` and wait until it waits for the next one."""
    clock.allow_until(tick_ns(tick))
    poll_until(lambda: clock.waiting_for_ns == tick_ns(tick + 1), 10, f"tick {tick}")


@pytest.fixture
def stepped():
    clock = SteppedClock()
    engine = Engine(parse_show(guest_show_data(), file="<test>"), clock, default_registry())
    # The guest service's asyncio thread, as far as the feed can tell: one thread of its own.
    service = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guest-service")
    yield engine, clock, service
    service.shutdown(wait=True)
    engine.stop()


def on_service(service: ThreadPoolExecutor, call, *arguments, **keywords):
    return service.submit(call, *arguments, **keywords).result(GENEROUS_LIMIT_S)


class StatusLog:
    """The engine's own source status events, with the media time each came at."""

    def __init__(self, engine: Engine, clock: SteppedClock) -> None:
        self.entries: list[tuple[str, SourceStatus, str, int]] = []
        engine.events.source_status_changed.connect(
            lambda source_id, status, reason: self.entries.append((source_id, SourceStatus(status), reason, clock.now_ns()))
        )

    def of(self, source_id: str, status: SourceStatus) -> list[tuple[str, int]]:
        return [(reason, at_ns) for sid, state, reason, at_ns in self.entries if sid == source_id and state is status]


def program_colour(tap) -> np.ndarray:
    picture = tap.latest()
    assert picture is not None, "the program tap has no picture yet"
    return picture.rgb[picture.rgb.shape[0] // 2, picture.rgb.shape[1] // 2].astype(int)


def program_corner_colour(tap) -> np.ndarray:
    picture = tap.latest()
    return picture.rgb[4, 4].astype(int)


def close_to(colour, expected, tolerance: int = 30) -> bool:
    return bool(np.all(np.abs(np.asarray(colour) - np.asarray(expected)) <= tolerance))


def taken_by_capture(engine: Engine, source_id: str, sequence: int) -> bool:
    """The guest source's capture thread has handed over the frame with this feed sequence."""
    frame = engine._runners[source_id].latest_frame()
    return frame is not None and frame.sequence >= sequence


# -- video -------------------------------------------------------------------------------------


def test_frames_from_the_service_thread_are_on_program_and_a_silent_guest_shows_no_signal_after_1500_ms(stepped):
    engine, clock, service = stepped
    statuses = StatusLog(engine, clock)
    program = engine.open_video_tap("program", 320, 180)
    feed = engine.guest_feed("Guest A")
    assert feed is not None and feed is engine.guest_feed("guest-a")
    generation = on_service(service, feed.session_started, "browser")
    engine.start()
    run_to(clock, 0)

    assert on_service(service, feed.push_video, generation, solid_frame(320, 180, GREEN))
    poll_until(lambda: statuses.of("guest-a", SourceStatus.LIVE), 10, "the guest source going live")
    last_frame_ns = clock.now_ns()  # the capture thread took it while the clock stood here
    for tick in range(1, 4):
        run_to(clock, tick)
    assert close_to(program_colour(program), GREEN), program_colour(program)

    # No more frames: the slate only once 1.5 s have passed without one.
    tick = 3
    while not statuses.of("guest-a", SourceStatus.NO_SIGNAL) and tick < 3 * FPS:
        tick += 1
        run_to(clock, tick)
    ((reason, at_ns),) = statuses.of("guest-a", SourceStatus.NO_SIGNAL)
    assert reason == "no frame for 1500 ms"
    assert 1500 * NS_PER_MS < at_ns - last_frame_ns <= 1500 * NS_PER_MS + NS_PER_SECOND // FPS
    assert engine.source_status()["guest-a"] is SourceStatus.NO_SIGNAL
    assert engine.source_status_reasons()["guest-a"] == "no frame for 1500 ms"
    assert close_to(program_corner_colour(program), SLATE_RGB, 12), program_corner_colour(program)

    # The guest's next frame brings them back.
    assert on_service(service, feed.push_video, generation, solid_frame(320, 180, BLUE))
    poll_until(lambda: len(statuses.of("guest-a", SourceStatus.LIVE)) == 2, 10, "the guest source live again")
    run_to(clock, tick + 1)
    run_to(clock, tick + 2)
    assert close_to(program_colour(program), BLUE), program_colour(program)


def test_a_replaced_session_cannot_put_its_frames_on_program(stepped):
    engine, clock, service = stepped
    program = engine.open_video_tap("program", 320, 180)
    feed = engine.guest_feed("guest-a")
    stale = on_service(service, feed.session_started, "browser")
    current = on_service(service, feed.session_started, "browser")  # the guest reloaded the page
    engine.start()
    run_to(clock, 0)

    assert not on_service(service, feed.push_video, stale, solid_frame(320, 180, RED))
    assert on_service(service, feed.push_video, current, solid_frame(320, 180, GREEN))
    poll_until(lambda: taken_by_capture(engine, "guest-a", 1), 10, "the current session's frame taken")
    assert not on_service(service, feed.push_video, stale, solid_frame(320, 180, RED))
    for tick in range(1, 4):
        run_to(clock, tick)
    assert feed.stale_frames_refused == 2 and feed.frames_received == 1
    assert close_to(program_colour(program), GREEN), program_colour(program)


def test_an_edit_that_replaces_the_guest_source_keeps_the_call_and_removing_it_closes_the_feed(stepped):
    engine, clock, service = stepped
    applied: list[int] = []
    engine.events.show_edit_applied.connect(applied.append)
    program = engine.open_video_tap("program", 320, 180)
    feed = engine.guest_feed("guest-a")
    generation = on_service(service, feed.session_started, "browser")
    on_service(service, feed.media_started, generation, carries_audio=True)
    engine.start()
    run_to(clock, 0)
    assert on_service(service, feed.push_video, generation, solid_frame(320, 180, GREEN))
    poll_until(lambda: taken_by_capture(engine, "guest-a", 1), 10, "the first frame taken")
    run_to(clock, 1)
    old_runner = engine._runners["guest-a"]

    edited = guest_show_data()
    edited["sources"][1]["settings"]["max_fps"] = 15  # a changed cap: a new source object
    engine.apply_show(parse_show(edited, file="<edit>"))
    successor = engine._runners["guest-a"]
    assert successor is not old_runner, "the edit was expected to replace the source"
    assert engine.guest_feed("guest-a") is feed
    # Before the edit's tick both run; the successor, once open, takes every frame: none goes
    # to the one it replaces (which would share them out with it at random).
    poll_until(lambda: successor.source.takes_frames, 10, "the successor taking the feed over")
    assert not old_runner.source.takes_frames
    assert on_service(service, feed.push_video, generation, solid_frame(320, 180, BLUE))
    poll_until(lambda: taken_by_capture(engine, "guest-a", 2), 10, "the successor taking the next frame")
    assert old_runner.latest_frame().sequence == 1
    run_to(clock, 2)
    assert applied == [2]
    run_to(clock, 3)
    assert close_to(program_colour(program), BLUE), program_colour(program)
    # ... and the voice input rebuilt for it did not close the feed's sound on the way.
    retired = threading.Event()
    engine._retirer.retire(retired.set)  # the retirer works in order: what the edit let go of is closed by then
    assert retired.wait(GENEROUS_LIMIT_S)
    assert old_runner.status is SourceStatus.CLOSED
    assert feed.audio.status()[0] is not AudioStatus.CLOSED

    without = guest_show_data()
    without["sources"] = [s for s in without["sources"] if s["id"] != "guest-a"]
    without["scenes"] = [s for s in without["scenes"] if s["id"] != "guest-a"]
    without["audio_inputs"] = [a for a in without["audio_inputs"] if a["id"] != "voice-a"]
    without["program_scene"] = without["preview_scene"] = "HOST"
    engine.apply_show(parse_show(without, file="<edit>"))
    assert feed.closed and engine.guest_feed("guest-a") is None
    assert not on_service(service, feed.push_video, generation, solid_frame(320, 180, RED))
    assert engine.guest_feed("guest-b") is not None  # the other guest is not touched
    run_to(clock, 5)


# -- sound: each guest's mix-minus ---------------------------------------------------------------


def level_dbfs(samples: np.ndarray, frequency_hz: float) -> float:
    """The level of one frequency in the left channel (dBFS of a sine's peak), Hann-windowed."""
    left = samples[:, 0].astype(np.float64)
    window = np.hanning(len(left))
    spectrum = np.abs(np.fft.rfft(left * window)) * 2.0 / window.sum()
    frequencies = np.fft.rfftfreq(len(left), 1.0 / 48_000)
    band = np.abs(frequencies - frequency_hz) <= 10.0
    return float(20.0 * np.log10(max(spectrum[band].max(), 1e-12)))


class SinePusher:
    """One guest's voice: a continuous sine, pushed a block at a time as the service would."""

    def __init__(self, feed, frequency_hz: float, service: ThreadPoolExecutor) -> None:
        self.feed, self.frequency_hz, self.service = feed, frequency_hz, service
        self.generation = on_service(service, feed.session_started, "browser")
        on_service(service, feed.media_started, self.generation, carries_audio=True)
        self.position = 0

    def push(self, sample_count: int) -> None:
        index = np.arange(self.position, self.position + sample_count)
        mono = (GUEST_AMPLITUDE * np.sin(2 * np.pi * self.frequency_hz * index / 48_000)).astype(np.float32)
        self.position += sample_count
        on_service(self.service, self.feed.push_audio, self.generation, np.stack([mono, mono], axis=1))


def read_all(tap: AudioTap) -> np.ndarray:
    out = np.zeros((tap.available_samples, 2), np.float32)
    return out[: tap.read_into(out)]


def test_each_guest_hears_the_host_and_the_other_guest_but_not_themself(stepped):
    engine, clock, service = stepped
    return_a = engine.open_audio_tap("mix_minus", 3000, guest="guest-a")
    return_b = engine.open_audio_tap("mix_minus", 3000, guest="Guest B")  # by name
    device_bus = engine.open_audio_tap("mix_minus", 3000)
    guests = [SinePusher(engine.guest_feed("guest-a"), GUEST_A_HZ, service), SinePusher(engine.guest_feed("guest-b"), GUEST_B_HZ, service)]
    for guest in guests:
        guest.push(3 * BLOCK_SAMPLES)  # the ring primes at a block plus its 50 ms target fill
    engine.start()
    ticks = 2 * FPS
    for tick in range(ticks):
        for guest in guests:
            guest.push(BLOCK_SAMPLES)
        run_to(clock, tick)

    last_half_second = 24_000
    heard_by_a, heard_by_b, heard_on_device = (read_all(tap)[-last_half_second:] for tap in (return_a, return_b, device_bus))
    assert len(heard_by_a) == len(heard_by_b) == len(heard_on_device) == last_half_second

    def levels(samples):
        return {hz: round(level_dbfs(samples, hz), 1) for hz in (HOST_HZ, GUEST_A_HZ, GUEST_B_HZ)}

    a, b, device = levels(heard_by_a), levels(heard_by_b), levels(heard_on_device)
    # -20 dBFS sources at the centre of a constant-power pan: about -23 dBFS on each side.
    assert a[HOST_HZ] > -30 and a[GUEST_B_HZ] > -30 and a[GUEST_A_HZ] < -60, a
    assert b[HOST_HZ] > -30 and b[GUEST_A_HZ] > -30 and b[GUEST_B_HZ] < -60, b
    assert device[HOST_HZ] > -30 and device[GUEST_A_HZ] < -60 and device[GUEST_B_HZ] < -60, device


def test_a_guest_return_for_an_unknown_guest_or_another_bus_is_refused(stepped):
    engine, _clock, _service = stepped
    with pytest.raises(InputError) as caught:
        engine.open_audio_tap("mix_minus", guest="Nobody")
    assert "'Nobody'" in str(caught.value) and "Guest A, Guest B" in str(caught.value)
    with pytest.raises(InputError) as caught:
        engine.open_audio_tap("mix_minus", guest="Host")  # a source, but not a guest
    assert "unknown guest 'Host'" in str(caught.value)
    with pytest.raises(InputError) as caught:
        engine.open_audio_tap("monitor", guest="guest-a")
    assert "mix_minus" in str(caught.value)
    assert engine.guest_feed("Host") is None and engine.guest_feed("Nobody") is None


def test_a_guest_return_is_mixed_only_while_a_tap_is_open():
    def tone_input(input_id: str, frequency_hz: float) -> MixerChannel:
        spec = AudioInputSpec(id=input_id, name=input_id, kind="tone", frequency_hz=frequency_hz, level_dbfs=-20)
        return MixerChannel(spec, ToneSource(frequency_hz, -20))

    mixer = AudioMixer([tone_input("host", HOST_HZ), tone_input("voice-a", GUEST_A_HZ)], BLOCK_SAMPLES)
    mixer.set_guest_sound({"voice-a": "guest-a"})
    first, second = AudioTap(), AudioTap()
    mixer.attach_guest_tap("guest-a", first)
    mixer.attach_guest_tap("guest-a", second)
    for block in range(30):
        mixer.mix(block * BLOCK_SAMPLES)
    assert mixer.guest_return_ids() == ["guest-a"]
    heard = read_all(first)
    assert np.array_equal(heard, read_all(second))  # one return, shared by its taps
    assert level_dbfs(heard, HOST_HZ) > -30 and level_dbfs(heard, GUEST_A_HZ) < -60
    mixer.detach_tap(first)
    assert mixer.guest_return_ids() == ["guest-a"]
    mixer.detach_tap(second)
    assert mixer.guest_return_ids() == []
    mixer.mix(30 * BLOCK_SAMPLES)
    assert second.available_samples == 0


# -- tokens and the demo ---------------------------------------------------------------------------


def test_a_guest_added_without_a_token_gets_one_and_the_file_keeps_it_plainly(tmp_path):
    show = parse_show(guest_show_data(), file="<test>")
    show, first_id = edits.add_source(show, GUEST_KIND, "Guest C")
    show, second_id = edits.add_source(show, GUEST_KIND, "Guest D", {"token": ""})
    tokens = [show.source_by_ref(ref).settings["token"] for ref in (first_id, second_id)]
    assert all(isinstance(token, str) and len(token) >= 32 for token in tokens) and tokens[0] != tokens[1]

    path = tmp_path / "show.json"
    save_show(show, path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert [s["settings"].get("token") for s in saved["sources"] if s["kind"] == GUEST_KIND] == [TOKEN_A, TOKEN_B, *tokens]
    assert load_show(path) == show


def test_a_file_may_leave_a_token_empty_but_not_make_it_weak():
    data = guest_show_data()
    data["sources"][1]["settings"]["token"] = ""
    assert parse_show(data, file="show.json").sources[1].settings["token"] == ""  # nobody can join until one is made

    weak = copy.deepcopy(guest_show_data())
    weak["sources"][1]["settings"]["token"] = "letmein1"
    with pytest.raises(InputError) as caught:
        parse_show(weak, file="show.json")
    message = str(caught.value)
    assert "sources[1].settings.token" in message and "at least 16 characters" in message
    assert "letmein1" not in message


def test_the_demo_has_a_guest_beside_the_host_with_a_fresh_token_each_time():
    first, second = demo_show_data(), demo_show_data()
    guest = next(s for s in first["sources"] if s["id"] == "guest-1")
    assert guest["name"] == "Guest 1" and guest["kind"] == GUEST_KIND
    assert guest["settings"]["token"] != next(s for s in second["sources"] if s["id"] == "guest-1")["settings"]["token"]
    show = parse_show(first, file="<demo>")
    assert show.scenes[-1].name == "GUEST" and show.scenes[-1].layout.sources == ["front", "guest-1"]  # the guest on the right
    voice = next(a for a in show.audio_inputs if a.source == "guest-1")
    assert voice.kind.value == "source_audio"
    # The remote control keeps sources and audio inputs in one namespace: the voice has its own.
    assert voice.id != guest["id"] and voice.name != guest["name"]
