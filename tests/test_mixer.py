"""The mixer with synthetic inputs: gain, mute, pan law, solo, mix-minus, follows-video, offsets."""

from __future__ import annotations

import numpy as np
import pytest

from studio.app import build_engine
from studio.engine.audio.mixer import AudioMixer, MixerChannel, pan_gains
from studio.engine.audio.tone import ToneSource
from studio.engine.errors import InputError
from studio.engine.show import AudioInputSpec, load_show, parse_show, save_show

BLOCK = 1600


def channel(input_id: str, source=None, **settings) -> MixerChannel:
    spec = AudioInputSpec(id=input_id, name=input_id.upper(), kind="tone", **settings)
    return MixerChannel(spec, source or ToneSource(440, -20), follows_source_id=settings.get("follows_video"))


def rms_db(signal: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(np.square(signal, dtype=np.float64))))


def run_blocks(mixer: AudioMixer, count: int, program_sources=frozenset()) -> list[np.ndarray]:
    return [mixer.mix(index * BLOCK, program_sources).copy() for index in range(count)]


@pytest.mark.parametrize("gain_db", [-30.0, -12.5, -6.0, 0.0, 3.7, 12.0])
def test_gain_is_accurate_to_a_tenth_of_a_db(gain_db):
    reference = AudioMixer([channel("a", ToneSource(997, -30))], BLOCK, master_ceiling_db=0.0)
    gained = AudioMixer([channel("a", ToneSource(997, -30), gain_db=gain_db)], BLOCK, master_ceiling_db=0.0)
    # Skip the first block: gains ramp in from silence over one block.
    before = np.concatenate(run_blocks(reference, 10)[1:])
    after = np.concatenate(run_blocks(gained, 10)[1:])
    assert abs((rms_db(after) - rms_db(before)) - gain_db) <= 0.1


def test_mute_gives_silence_after_a_one_block_fade():
    mixer = AudioMixer([channel("a")], BLOCK)
    run_blocks(mixer, 2)
    mixer.update_channel(mixer.channel("a").spec.model_copy(update={"muted": True}))
    fading = mixer.mix(2 * BLOCK).copy()
    silent = mixer.mix(3 * BLOCK).copy()
    # The master limiter's look-ahead delays program by a few samples: the fade's tail spills
    # into the next block by exactly that much, then there is nothing.
    delay = mixer._program_limiter.latency_samples
    assert np.abs(fading[-10 - delay :]).max() < 0.01 and np.abs(fading[delay : delay + 10]).max() > 0.01
    assert np.abs(silent[:delay]).max() < 0.01
    assert not silent[delay:].any()


def test_gain_changes_ramp_without_a_step():
    mixer = AudioMixer([channel("a", ToneSource(100, -6))], BLOCK)
    run_blocks(mixer, 2)
    mixer.update_channel(mixer.channel("a").spec.model_copy(update={"gain_db": -20.0}))
    block = mixer.mix(2 * BLOCK)
    # A 100 Hz sine at -6 dBFS moves at most ~0.0033 per sample; a gain step would jump far more.
    assert np.abs(np.diff(block[:, 0])).max() < 0.005


def test_pan_law_is_constant_power():
    assert pan_gains(0.0) == pytest.approx((2**-0.5, 2**-0.5))
    assert pan_gains(-1.0) == pytest.approx((1.0, 0.0), abs=1e-9)
    assert pan_gains(1.0) == pytest.approx((0.0, 1.0), abs=1e-9)
    for pan in np.linspace(-1, 1, 21):
        left, right = pan_gains(pan)
        assert left**2 + right**2 == pytest.approx(1.0)
    mixer = AudioMixer([channel("a", pan=-1.0)], BLOCK)
    block = run_blocks(mixer, 3)[-1]
    assert not block[:, 1].any() and block[:, 0].any()


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b)))


def test_mix_minus_has_every_input_but_the_guest():
    host, music, guest = ToneSource(300, -20), ToneSource(700, -20), ToneSource(1300, -20)
    mixer = AudioMixer(
        [channel("host", host), channel("music", music), channel("guest", guest, is_guest=True)], BLOCK
    )
    program, mix_minus = [], []
    for index in range(12):
        program.append(mixer.mix(index * BLOCK).copy())
        mix_minus.append(mixer.mix_minus.copy())
    program_left = np.concatenate(program[2:])[:, 0]
    minus_left = np.concatenate(mix_minus[2:])[:, 0]
    reference = {name: np.concatenate([src.read_block(i * BLOCK, BLOCK) for i in range(2, 12)])[:, 0]
                 for name, src in (("host", host), ("music", music), ("guest", guest))}
    assert correlation(minus_left, reference["guest"]) < 0.01
    assert correlation(minus_left, reference["host"]) > 0.6
    assert correlation(minus_left, reference["music"]) > 0.6
    assert correlation(program_left, reference["guest"]) > 0.5


def test_solo_changes_the_monitor_and_never_the_program():
    mixer = AudioMixer([channel("host", ToneSource(300, -20)), channel("music", ToneSource(700, -20), solo=True)], BLOCK)
    blocks = []
    for index in range(4):
        blocks.append((mixer.mix(index * BLOCK).copy(), mixer.monitor.copy()))
    program, monitor = blocks[-1]
    host = ToneSource(300, -20).read_block(3 * BLOCK, BLOCK)[:, 0]
    assert correlation(program[:, 0], host) > 0.5
    assert abs(correlation(monitor[:, 0], host)) < 0.01


def test_audio_follows_video_only_while_its_camera_is_on_program():
    mixer = AudioMixer([channel("cam_mic", follows_video="front")], BLOCK)
    on_air = run_blocks(mixer, 3, program_sources={"front", "side"})
    assert np.abs(on_air[-1]).max() > 0.05
    off_air = run_blocks(mixer, 3, program_sources={"side"})
    assert not off_air[-1].any()


def test_sync_offset_reads_the_input_later():
    tone = ToneSource(440, -20)
    mixer = AudioMixer([channel("a", tone, sync_offset_ms=100)], BLOCK, master_ceiling_db=0.0)
    block = run_blocks(mixer, 4)[-1]
    expected = tone.read_block(3 * BLOCK - 4800, BLOCK) * (2**-0.5)
    np.testing.assert_allclose(block, expected, atol=1e-6)


def test_master_ceiling_holds_on_program():
    loud = [channel(f"in{index}", ToneSource(200 + index, 0.0)) for index in range(4)]
    mixer = AudioMixer(loud, BLOCK, master_ceiling_db=-1.0)
    for block in run_blocks(mixer, 10):
        assert np.abs(block).max() <= 10 ** (-1 / 20) + 1e-6


def test_engine_mixer_settings_are_validated_and_survive_a_save(tmp_path, demo_show_data):
    engine = build_engine(parse_show(demo_show_data), virtual_clock=True, tick_limit=2)
    with pytest.raises(InputError, match="sync_offset_ms"):
        engine.update_audio_input("Tone", sync_offset_ms=5000)
    with pytest.raises(InputError, match="unknown audio input"):
        engine.set_input_gain("Trumpet", -3)
    engine.update_audio_input("Tone", gain_db=-7.5, pan=0.25, muted=True)
    engine.start()
    assert engine.wait(30)
    engine.stop()
    path = tmp_path / "show.json"
    save_show(engine.current_show(), path)
    reloaded = load_show(path).audio_inputs[0]
    assert (reloaded.gain_db, reloaded.pan, reloaded.muted) == (-7.5, 0.25, True)


def test_mix_minus_tap_streams_what_the_guest_should_hear(demo_show_data):
    demo_show_data["audio_inputs"].append(
        {"id": "guest", "name": "Guest", "kind": "tone", "frequency_hz": 1300, "level_dbfs": -20, "is_guest": True}
    )
    engine = build_engine(parse_show(demo_show_data), virtual_clock=True, tick_limit=30)
    tap = engine.open_audio_tap("mix_minus")
    engine.start()
    assert engine.wait(30)
    engine.stop()
    received = np.zeros((48_000, 2), np.float32)
    count = tap.read_into(received)
    assert count == 30 * BLOCK
    host = ToneSource(440, -24).read_block(0, count)[:, 0]
    guest = ToneSource(1300, -20).read_block(0, count)[:, 0]
    assert correlation(received[BLOCK:count, 0], host[BLOCK:]) > 0.99
    assert abs(correlation(received[BLOCK:count, 0], guest[BLOCK:])) < 0.01
    with pytest.raises(InputError, match="unknown bus"):
        engine.open_audio_tap("aux")


def test_audio_tap_overwrites_the_oldest_when_the_consumer_is_late():
    from studio.engine.audio.tap import AudioTap

    tap = AudioTap(capacity_ms=100)  # 4800 samples
    for index in range(5):
        tap.write(np.full((1600, 2), index, np.float32))
    out = np.zeros((10_000, 2), np.float32)
    assert tap.read_into(out) == 4800
    assert tap.overwritten_samples == 3200
    assert out[0, 0] == 2 and out[4799, 0] == 4


def test_music_ducks_under_the_host_by_the_set_depth_within_the_attack_time():
    from studio.engine.show import DuckingSettings

    host_voice = ToneSource(300, -12)
    mixer = AudioMixer(
        [
            channel("host", host_voice, muted=True),  # muted on program, still triggers: it is the voice that counts
            channel("music", ToneSource(700, -20), ducking=DuckingSettings(
                enabled=True, trigger_inputs=["host"], depth_db=-15, threshold_db=-30, attack_ms=100, release_ms=300)),
        ],
        BLOCK,
        master_ceiling_db=0.0,
    )
    blocks = []
    for index in range(10):
        blocks.append(mixer.mix(index * BLOCK).copy())
        if index == 2:  # 100 ms = 3 blocks: the full depth is reached within the attack time
            assert mixer.channel("music").ducker.gain_db == pytest.approx(-15.0)
    reference = AudioMixer([channel("music", ToneSource(700, -20))], BLOCK, master_ceiling_db=0.0)
    plain = rms_db(np.concatenate(run_blocks(reference, 10)[4:]))
    assert rms_db(np.concatenate(blocks[4:])) - plain == pytest.approx(-15.0, abs=0.5)


def test_audio_levels_are_published_every_tick(demo_show_data):
    engine = build_engine(parse_show(demo_show_data), virtual_clock=True, tick_limit=30)
    levels = []
    engine.events.audio_levels.connect(levels.append)
    engine.start()
    assert engine.wait(30)
    engine.stop()
    assert len(levels) == 30
    last = levels[-1]
    assert last.inputs[0].input_id == "tone"
    # A -24 dBFS sine panned centre: peak -27 dBFS per channel, RMS 3 dB lower.
    assert last.inputs[0].peak_db == pytest.approx(-27.0, abs=0.2)
    assert last.program_rms_db == pytest.approx(-30.0, abs=0.2)
    assert -40 < last.momentary_lufs < -25
