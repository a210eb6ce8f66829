"""The GUI must survive hours: repainting monitors and meters thousands of times must not eat
a reference to None (PySide6 6.12.0 did, and Python 3.11 aborts when None's count reaches
zero), and the bridge's meter accumulator must stay bounded."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from studio.engine.audio.mixer import AudioLevels, InputLevels
from studio.engine.outputs.video_tap import TapImage, TapPicture
from studio.gui.bridge import LevelAccumulator
from studio.gui.mixer_panel import MixerPanel
from studio.gui.monitors import TALLY_PROGRAM, MonitorView

REPAINTS = 3000


class StaticTap:
    """A tap with a new picture every time it is asked (as at 30 fps)."""

    def __init__(self) -> None:
        self.sequence = 0
        self.image = TapImage.from_rgb(np.full((90, 160, 3), 128, np.uint8))

    def latest(self) -> TapPicture:
        self.sequence += 1
        return TapPicture(self.sequence, self.sequence, self.image)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: nothing to lose")
def test_repainting_thousands_of_times_keeps_references_to_none(qtbot):
    monitor = MonitorView("FRONT")
    monitor.resize(320, 180)
    monitor.set_tally(TALLY_PROGRAM)
    monitor.set_no_signal(True)
    monitor._tap = StaticTap()
    qtbot.addWidget(monitor)
    before = sys.getrefcount(None)
    for _ in range(REPAINTS):
        monitor.refresh()
        monitor.grab()
    lost = before - sys.getrefcount(None)
    assert lost < REPAINTS // 10, f"{lost} references to None lost in {REPAINTS} repaints (a PySide6 bug?)"


def test_level_accumulator_keeps_only_the_newest_levels_and_the_highest_peaks():
    accumulator = LevelAccumulator()
    for peak_db in (-30.0, -3.0, -20.0):
        accumulator.add(AudioLevels((InputLevels("mic", peak_db, peak_db - 3, peak_db),), peak_db, peak_db - 3, peak_db, -23.0, -23.0))
    latest, peaks, program_peak_db = accumulator.take()
    assert latest.inputs[0].peak_db == -20.0
    assert peaks == {"mic": -3.0} and program_peak_db == -3.0
    latest, peaks, program_peak_db = accumulator.take()
    assert peaks == {} and program_peak_db == -120.0


def test_mixer_repaints_keep_references_to_none(qtbot):
    if sys.version_info >= (3, 12):
        pytest.skip("None is immortal from Python 3.12")
    panel = MixerPanel()
    qtbot.addWidget(panel)
    panel.resize(400, 260)
    levels = AudioLevels((), -6.0, -9.0, -6.0, -23.0, -23.0)
    before = sys.getrefcount(None)
    for index in range(REPAINTS // 3):
        panel.update_levels(levels, {}, -6.0 - index % 10)
        panel.grab()
    assert before - sys.getrefcount(None) < REPAINTS // 10


def test_every_ui_text_has_a_chinese_translation_and_the_qm_is_current(tmp_path):
    """Run lupdate over the GUI sources into a copy of the .ts: a text added without a
    translation shows up as unfinished; the committed .qm must be what lrelease makes of the .ts."""
    import shutil
    import subprocess
    import xml.etree.ElementTree as ElementTree

    from studio.gui.i18n import TRANSLATIONS_DIR

    tools = Path(sys.executable).parent
    lupdate, lrelease = tools / "pyside6-lupdate", tools / "pyside6-lrelease"
    ts_copy = tmp_path / "studio_zh_CN.ts"
    shutil.copy(TRANSLATIONS_DIR / "studio_zh_CN.ts", ts_copy)
    sources = sorted(str(path) for path in (TRANSLATIONS_DIR.parent).glob("*.py"))
    subprocess.run([str(lupdate), *sources, "-ts", str(ts_copy)], check=True, capture_output=True, timeout=120)
    untranslated = [
        message.findtext("source")
        for message in ElementTree.parse(ts_copy).getroot().iter("message")
        if message.find("translation").get("type") == "unfinished"
    ]
    assert untranslated == [], f"add Chinese for these in studio/gui/translations/studio_zh_CN.ts: {untranslated}"
    subprocess.run([str(lrelease), str(TRANSLATIONS_DIR / "studio_zh_CN.ts"), "-qm", str(tmp_path / "fresh.qm")], check=True, capture_output=True, timeout=120)
    assert (tmp_path / "fresh.qm").read_bytes() == (TRANSLATIONS_DIR / "studio_zh_CN.qm").read_bytes(), (
        "studio_zh_CN.qm is stale: run python -m studio.gui.i18n"
    )
