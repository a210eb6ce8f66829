"""The mixer panel against a real engine on a stepped clock (the test decides when each tick
runs, so nothing sleeps), and its meters fed with made-up levels on a made-up GUI clock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from studio.app import build_engine, resolve_show
from studio.engine.audio.meters import SILENCE_DB
from studio.engine.audio.mixer import AudioLevels, InputLevels
from studio.engine.clock import NS_PER_SECOND, SteppedClock
from studio.engine.errors import InputError
from studio.gui.mixer_panel import CLIP_DARK, CLIP_LIT, ZONE_GREEN, MixerPanel

TONE = "tone"  # the demo show's only audio input: a -24 dBFS sine
TONE_PEAK_DB = -27.0  # at 0 dB gain, panned centre: constant-power pan puts each side 3 dB down


class SteppedEngine:
    """A real engine whose program runs only as far as the test allows; keeps every tick's levels."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.show = resolve_show("demo")
        self.clock = SteppedClock()
        self.engine = build_engine(self.show, clock=self.clock)
        self.levels: list[AudioLevels] = []
        # Before start: tick 0 runs as soon as the program starts, and its levels must be caught.
        self.engine.events.audio_levels.connect(self._record)
        self.engine.start()

    def _record(self, levels: AudioLevels) -> None:
        self.levels.append(levels)  # on the program thread; list.append is atomic

    def run_until_tick(self, tick: int) -> None:
        """Let ticks up to `tick` run and wait until that tick's audio is mixed and metered."""
        self.clock.allow_until(tick * NS_PER_SECOND // self.show.canvas.fps)
        self.qtbot.waitUntil(lambda: len(self.levels) >= tick + 1, timeout=5000)

    def tone_peak_db(self) -> float:
        return input_levels(self.levels[-1], TONE).peak_db


def input_levels(levels: AudioLevels, input_id: str) -> InputLevels:
    return next(item for item in levels.inputs if item.input_id == input_id)


def synthetic_levels(peak_db: float, rms_db: float) -> AudioLevels:
    """One tick's levels for the tone input and program, with a fixed loudness."""
    return AudioLevels(
        inputs=(InputLevels(TONE, peak_db, rms_db, peak_db),),
        program_peak_db=peak_db,
        program_rms_db=rms_db,
        program_peak_hold_db=peak_db,
        momentary_lufs=-23.14,
        short_term_lufs=-22.81,
    )


class FakeClock:
    """The GUI's seconds, moved by the test: peak hold and fall without waiting."""

    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


@pytest.fixture
def stepped(qtbot):
    driver = SteppedEngine(qtbot)
    yield driver
    driver.engine.stop()


@pytest.fixture
def gui_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def panel(qtbot, stepped, gui_clock) -> MixerPanel:
    widget = MixerPanel(clock_s=gui_clock)
    qtbot.addWidget(widget)
    widget.set_engine(stepped.engine)
    widget.resize(400, 260)
    widget.show()
    return widget


def record(signal) -> list:
    received: list = []
    signal.connect(lambda *args: received.append(args))
    return received


# -- the controls reach the engine ---------------------------------------------------------------


def test_fader_sets_the_gain_and_the_meter_drops_by_as_much(panel, stepped):
    stepped.run_until_tick(2)
    before_db = stepped.tone_peak_db()
    assert before_db == pytest.approx(TONE_PEAK_DB, abs=0.5)
    changes = record(panel.changed)
    strip = panel.strip(TONE)

    strip.fader.setValue(strip.fader.value_for_db(-12.0))

    assert strip.gain_db() == -12.0
    assert strip.gain_spin.value() == -12.0
    assert len(changes) == 1
    stepped.run_until_tick(3)
    assert stepped.engine.audio_input(TONE).gain_db == -12.0
    stepped.run_until_tick(4)  # tick 3 ramped to the new gain (no click); tick 4 is all at -12 dB
    assert stepped.tone_peak_db() == pytest.approx(before_db - 12.0, abs=0.5)


def test_fader_keys_step_and_double_click_resets_to_zero(panel, stepped, qtbot):
    strip = panel.strip(TONE)
    strip.fader.setFocus()
    qtbot.keyClick(strip.fader, Qt.Key.Key_PageDown)
    qtbot.keyClick(strip.fader, Qt.Key.Key_PageDown)
    qtbot.keyClick(strip.fader, Qt.Key.Key_Down)
    assert strip.gain_db() == -12.5  # two 6 dB pages and one 0.5 dB step

    qtbot.mouseDClick(strip.fader, Qt.MouseButton.LeftButton)

    assert strip.gain_db() == 0.0
    stepped.run_until_tick(1)
    assert stepped.engine.audio_input(TONE).gain_db == 0.0


def test_fader_bottom_is_minus_infinity(panel, stepped):
    strip = panel.strip(TONE)
    strip.fader.setValue(strip.fader.minimum())
    assert strip.gain_db() == -96.0
    assert strip.gain_spin.text() == "-inf"
    stepped.run_until_tick(1)
    assert stepped.engine.audio_input(TONE).gain_db == -96.0


def test_typed_gain_moves_the_fader_and_reaches_the_engine(panel, stepped, qtbot):
    strip = panel.strip(TONE)
    strip.gain_spin.lineEdit().selectAll()
    qtbot.keyClicks(strip.gain_spin, "-6.5")
    assert stepped.engine.audio_input(TONE).gain_db == 0.0  # nothing sent while typing
    qtbot.keyClick(strip.gain_spin, Qt.Key.Key_Return)

    assert strip.gain_db() == -6.5
    assert strip.fader.gain_db() == -6.5
    stepped.run_until_tick(1)
    assert stepped.engine.audio_input(TONE).gain_db == -6.5


def test_mute_silences_the_input(panel, stepped, qtbot):
    stepped.run_until_tick(1)
    assert stepped.tone_peak_db() > -30.0
    strip = panel.strip(TONE)

    qtbot.mouseClick(strip.mute_button, Qt.MouseButton.LeftButton)

    assert strip.mute_button.isChecked()
    stepped.run_until_tick(2)
    assert stepped.engine.audio_input(TONE).muted is True
    stepped.run_until_tick(3)  # tick 2 faded out; tick 3 is silent
    assert stepped.tone_peak_db() == SILENCE_DB

    qtbot.mouseClick(strip.mute_button, Qt.MouseButton.LeftButton)
    stepped.run_until_tick(4)
    assert stepped.engine.audio_input(TONE).muted is False


def test_solo_toggles(panel, stepped, qtbot):
    strip = panel.strip(TONE)
    qtbot.mouseClick(strip.solo_button, Qt.MouseButton.LeftButton)
    stepped.run_until_tick(1)
    assert stepped.engine.audio_input(TONE).solo is True
    qtbot.mouseClick(strip.solo_button, Qt.MouseButton.LeftButton)
    stepped.run_until_tick(2)
    assert stepped.engine.audio_input(TONE).solo is False


def test_changes_within_one_tick_do_not_undo_each_other(panel, stepped, qtbot):
    # The engine builds each update from the settings it applied last; the panel sends all three
    # every time so a gain change and a mute before the same tick both survive.
    strip = panel.strip(TONE)
    strip.fader.setValue(strip.fader.value_for_db(-12.0))
    qtbot.mouseClick(strip.mute_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(strip.solo_button, Qt.MouseButton.LeftButton)
    stepped.run_until_tick(1)
    spec = stepped.engine.audio_input(TONE)
    assert (spec.gain_db, spec.muted, spec.solo) == (-12.0, True, True)


def test_mute_from_a_hotkey_is_shown_but_not_sent_again(panel, stepped):
    changes = record(panel.changed)
    sent: list = []
    original = stepped.engine.update_audio_input
    stepped.engine.update_audio_input = lambda *args, **kwargs: sent.append(kwargs) or original(*args, **kwargs)

    panel.set_input_muted_from_outside(TONE, True)

    assert panel.strip(TONE).mute_button.isChecked()
    assert sent == [] and changes == []
    panel.set_input_muted_from_outside("no such input", True)  # ignored, no exception


@pytest.mark.parametrize(
    "failure",
    [RuntimeError("program command queue is full"), InputError("gain_db must be at most 24", field="gain_db")],
)
def test_a_refused_change_is_reported_and_undone(panel, stepped, qtbot, failure):
    def refuse(*args, **kwargs):
        raise failure

    stepped.engine.update_audio_input = refuse
    errors, changes = record(panel.error), record(panel.changed)
    strip = panel.strip(TONE)

    strip.fader.setValue(strip.fader.value_for_db(-20.0))
    qtbot.mouseClick(strip.mute_button, Qt.MouseButton.LeftButton)

    assert len(errors) == 2 and str(failure) in errors[0][0] and "Tone" in errors[0][0]
    assert changes == []
    assert strip.gain_db() == 0.0 and strip.fader.gain_db() == 0.0
    assert not strip.mute_button.isChecked()


# -- meters ---------------------------------------------------------------------------------------


def test_real_levels_reach_the_meters(panel, stepped):
    stepped.run_until_tick(3)
    latest = stepped.levels[-1]
    panel.update_levels(latest, {TONE: input_levels(latest, TONE).peak_db}, latest.program_peak_db)
    meter = panel.strip(TONE).meter
    assert meter.peak_db == pytest.approx(TONE_PEAK_DB, abs=0.5)
    assert meter.rms_db == pytest.approx(TONE_PEAK_DB - 3.0, abs=0.5)  # a sine's RMS is 3 dB under its peak
    assert panel.master.meter.peak_db == pytest.approx(latest.program_peak_db)


def test_a_full_scale_peak_lights_clip_until_clicked(panel, qtbot):
    strip = panel.strip(TONE)
    indicator = strip.meter.clip_indicator
    panel.update_levels(synthetic_levels(-0.2, -6.0), {TONE: -0.2}, -0.2)
    assert not indicator.is_lit

    # The clip happened between two GUI looks: only the highest-peak map knows about it.
    panel.update_levels(synthetic_levels(-12.0, -18.0), {TONE: 0.0}, 0.0)
    assert indicator.is_lit
    assert panel.master.meter.clip_indicator.is_lit
    image = indicator.grab().toImage()
    assert image.pixelColor(image.width() // 2, image.height() // 2) == CLIP_LIT

    panel.update_levels(synthetic_levels(-40.0, -46.0), {TONE: -40.0}, -40.0)
    assert indicator.is_lit  # stays lit: the operator may have looked away

    qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)
    assert not indicator.is_lit
    image = indicator.grab().toImage()
    assert image.pixelColor(image.width() // 2, image.height() // 2) == CLIP_DARK


def test_peak_hold_stays_above_a_falling_level_then_falls(panel, gui_clock):
    meter = panel.strip(TONE).meter
    panel.update_levels(synthetic_levels(-6.0, -12.0), {TONE: -6.0}, -6.0)
    assert meter.peak_hold_db == -6.0

    gui_clock.now_s += 0.5
    panel.update_levels(synthetic_levels(-40.0, -46.0), {TONE: -40.0}, -40.0)
    assert meter.peak_hold_db == -6.0  # still held
    assert meter.peak_db < meter.peak_hold_db
    assert meter.peak_db > -40.0  # the bar falls at a readable rate, not at once

    gui_clock.now_s += 3.0  # well past the 1.5 s hold
    panel.update_levels(synthetic_levels(-40.0, -46.0), {TONE: -40.0}, -40.0)
    assert meter.peak_hold_db == -40.0
    assert meter.peak_db == -40.0


def test_meters_fall_when_no_new_levels_arrive(panel, gui_clock):
    levels = synthetic_levels(-10.0, -14.0)
    panel.update_levels(levels, {TONE: -10.0}, -10.0)
    # The bridge returns the same latest object until the engine delivers a new tick.
    for _ in range(30):
        gui_clock.now_s += 1 / 30
        panel.update_levels(levels, {}, SILENCE_DB)
    meter = panel.strip(TONE).meter
    assert meter.rms_db < -30.0
    assert meter.peak_db < -30.0


def test_program_loudness_text(panel):
    assert panel.master.loudness_text() == "M -inf LUFS / S -inf LUFS"
    panel.update_levels(synthetic_levels(-10.0, -14.0), {TONE: -10.0}, -10.0)
    assert panel.master.loudness_text() == "M -23.1 LUFS / S -22.8 LUFS"


def test_meter_paints_the_level_in_green(panel):
    bar = panel.strip(TONE).meter.bar
    panel.update_levels(synthetic_levels(-30.0, -30.0), {TONE: -30.0}, -30.0)
    image = bar.grab().toImage()
    assert image.pixelColor(bar.BAR_WIDTH_PX // 2, image.height() - 3) == ZONE_GREEN
    assert image.pixelColor(bar.BAR_WIDTH_PX // 2, 3) != ZONE_GREEN  # above -30 dB: the empty track


# -- building ---------------------------------------------------------------------------------


def test_panel_shows_one_strip_per_input_and_paints(panel, stepped):
    assert [strip.input_id for strip in panel.strips] == [spec.id for spec in stepped.show.audio_inputs]
    assert panel.strip(TONE).name == "Tone"
    pixmap = panel.grab()
    assert not pixmap.isNull() and pixmap.width() > 0 and pixmap.height() > 0
    assert len(panel.findChildren(type(panel.strip(TONE)))) == len(stepped.show.audio_inputs)  # one each, no leftovers


def test_strips_show_the_engines_current_settings(qtbot, stepped):
    stepped.engine.update_audio_input(TONE, gain_db=-7.5, muted=True, solo=True)
    stepped.run_until_tick(1)
    widget = MixerPanel()
    qtbot.addWidget(widget)
    widget.set_engine(stepped.engine)
    strip = widget.strip(TONE)
    assert (strip.gain_db(), strip.fader.gain_db()) == (-7.5, -7.5)
    assert strip.mute_button.isChecked() and strip.solo_button.isChecked()


def test_a_mute_keeps_an_exact_gain_from_the_show(qtbot, stepped):
    stepped.engine.update_audio_input(TONE, gain_db=-70.25)  # below the fader, finer than the box
    stepped.run_until_tick(1)
    widget = MixerPanel()
    qtbot.addWidget(widget)
    widget.set_engine(stepped.engine)
    strip = widget.strip(TONE)
    assert strip.fader.value() == strip.fader.minimum()
    qtbot.mouseClick(strip.mute_button, Qt.MouseButton.LeftButton)
    stepped.run_until_tick(2)
    assert stepped.engine.audio_input(TONE).gain_db == -70.25
    assert stepped.engine.audio_input(TONE).muted is True


def test_no_engine_clears_the_strips(panel):
    panel.set_engine(None)
    assert panel.strips == []
    with pytest.raises(KeyError):
        panel.strip(TONE)
    panel.update_levels(None, {}, SILENCE_DB)  # a timer tick with nothing attached is harmless
    assert not panel.grab().isNull()
