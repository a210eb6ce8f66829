"""The desktop app's promises (pytest-qt, offscreen): switching on the engine's next tick,
the default hotkeys, faders, show files and settings, closing while on air, layout and language.

The engine runs on a SteppedClock: the program thread renders a tick only when the test allows
it, so "on the next tick" is checked exactly, with no sleeps.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QDockWidget

from studio.app import build_engine
from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import NS_PER_SECOND, SteppedClock
from pydantic import SecretStr

from studio.engine.show import DestinationSpec, load_show, save_show
from studio.gui.hotkeys_dialog import HotkeysDialog
from studio.gui.main_window import MainWindow
from studio.gui.preferences import Preferences, PreferencesStore
from tests.conftest import REPO_ROOT, ffprobe

FPS = 30


def tick_ns(tick: int) -> int:
    return tick * NS_PER_SECOND // FPS


class SteppedStudio:
    """The main window on an engine whose clock the test steps."""

    def __init__(self, qtbot, tmp_path: Path, show=None) -> None:
        self.qtbot = qtbot
        self.clocks: list[SteppedClock] = []
        self.store = PreferencesStore(tmp_path / "config")
        if not self.store.path.exists():
            # The remote control is tested on its own (tests/test_remote_api.py): not on port 4455 here.
            self.store.save(Preferences(recording_folder=str(tmp_path / "recordings"), remote_enabled=False))
        show = show or builtin_show("demo")
        # The guest service is tested on its own (tests/test_gui_guests.py): on a free port here.
        show = show.model_copy(update={"guests": show.guests.model_copy(update={"port": 0})})
        self.window = MainWindow(
            show=show,
            show_path=None,
            build_engine=self._build,
            preferences_store=self.store,
        )
        self.asked: list[str] = []
        self.told: list[str] = []
        self.answer = True
        self.window.ask = self._ask
        self.window.tell = lambda title, text: self.told.append(f"{title}: {text}")
        self.window.ask_save_changes = lambda: "discard"
        self.window.show()
        self.wait_for_engine()

    def _build(self, show):
        clock = SteppedClock()
        self.clocks.append(clock)
        return build_engine(show, clock=clock)

    def _ask(self, title: str, text: str) -> bool:
        self.asked.append(f"{title}: {text}")
        return self.answer

    @property
    def engine(self):
        return self.window.host.engine

    @property
    def clock(self) -> SteppedClock:
        return self.clocks[-1]

    def wait_for_engine(self) -> None:
        self.qtbot.waitUntil(lambda: self.window.host.engine is not None and self.window.host.engine.show is not None, timeout=10_000)

    def run_to(self, tick: int) -> None:
        """Let the program render every tick up to `tick`, and wait until it has."""
        self.clock.allow_until(tick_ns(tick))
        self.qtbot.waitUntil(lambda: self.clock.waiting_for_ns == tick_ns(tick + 1), timeout=60_000)  # a deadline: a busy machine renders slower
        self.qtbot.wait(1)  # let queued engine events reach the GUI thread

    def close(self) -> None:
        if self.window.remote is not None:
            self.window.remote.stop()
        self.window._close_confirmed = True
        self.window.host.stop()
        self.window.host.wait_idle()
        self.window.close()


@pytest.fixture
def studio(qtbot, tmp_path):
    studio = SteppedStudio(qtbot, tmp_path)
    yield studio
    studio.close()


def record_program_changes(engine, clock) -> list[tuple[str, int]]:
    """(scene, media time) of every program change, as the program thread announces it."""
    changes: list[tuple[str, int]] = []
    engine.events.program_scene_changed.connect(lambda scene: changes.append((scene, clock.now_ns())))
    return changes


def click_scene(qtbot, window: MainWindow, name: str) -> None:
    item = window.scenes.item_for(name)
    rect = window.scenes.list.visualItemRect(item)
    qtbot.mouseClick(window.scenes.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_picking_a_scene_and_pressing_cut_changes_program_on_the_next_tick(studio, qtbot):
    window, engine = studio.window, studio.engine
    # The test's own view of program (the monitor's tap is reopened whenever the window resizes).
    program = engine.open_video_tap("program", 320, 180)
    studio.run_to(5)
    changes = record_program_changes(engine, studio.clock)
    click_scene(qtbot, window, "BACK")
    qtbot.mouseClick(window.transitions.cut_button, Qt.MouseButton.LeftButton)
    assert changes == []  # nothing happens between ticks
    studio.run_to(6)
    assert changes == [("BACK", tick_ns(6))]
    qtbot.waitUntil(lambda: window.program_monitor.title.endswith("BACK"))
    picture = program.latest()
    assert picture.tick == 6
    centre = picture.rgb[picture.rgb.shape[0] // 3, picture.rgb.shape[1] // 4].astype(int)
    assert centre[2] > 150 and centre[0] < 100, f"program should be BACK (blue) on tick 6, got {centre}"
    # Tally follows: the scene list and the multiview mark BACK as program.
    assert window.scenes._program == "BACK"
    back_id = engine.show.scene_by_ref("BACK").layout.sources[0]
    assert window.multiview.views[back_id].tally is not None


def test_each_default_hotkey_does_its_action(studio, qtbot, rtmp_server, tmp_path):
    window, engine = studio.window, studio.engine
    focus = window.program_monitor
    studio.run_to(2)
    changes = record_program_changes(engine, studio.clock)

    qtbot.keyClick(focus, Qt.Key.Key_3)  # scene 3 to preview
    studio.run_to(3)
    assert engine.preview_scene == "BACK"
    qtbot.keyClick(focus, Qt.Key.Key_Space)  # cut
    studio.run_to(4)
    assert changes[-1] == ("BACK", tick_ns(4))

    qtbot.keyClick(focus, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # scene 2 straight to program
    studio.run_to(5)
    assert changes[-1] == ("SIDE", tick_ns(5))

    qtbot.keyClick(focus, Qt.Key.Key_4)
    qtbot.keyClick(focus, Qt.Key.Key_Return)  # auto: the 500 ms mix ends 15 ticks later
    studio.run_to(5 + 14)
    assert changes[-1][0] == "SIDE"
    studio.run_to(5 + 15)
    assert changes[-1] == ("DETAIL", tick_ns(20))

    qtbot.keyClick(focus, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)  # the keypad's Enter too
    studio.run_to(21)
    assert engine.stats().ticks >= 21  # ran; the transition is under way
    studio.run_to(36)
    assert changes[-1] == ("SIDE", tick_ns(35))

    # Mute has no default key (a stray key must not silence the host); bind one and use it.
    window.set_hotkeys({"mute_input.tone": "M"})
    qtbot.keyClick(focus, Qt.Key.Key_M)
    assert engine.audio_input("tone").muted
    qtbot.keyClick(focus, Qt.Key.Key_M)
    assert not engine.audio_input("tone").muted

    qtbot.keyClick(focus, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.recording_path is not None
    studio.run_to(60)
    qtbot.keyClick(focus, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.recording_path is None

    window.document = window.document.model_copy(
        update={"destinations": [DestinationSpec(id="test", name="Test server", url=rtmp_server.url("").rstrip("/"), stream_key="hotkey-key")]}
    )
    qtbot.keyClick(focus, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert "Test server" in studio.asked[-1] and "hotkey-key" not in studio.asked[-1]
    assert window.streaming
    studio.run_to(61)  # the encode thread opens the destination on its own thread, soon after
    qtbot.waitUntil(lambda: [d.name for d in engine.destination_stats()] == ["Test server"], timeout=5000)
    qtbot.keyClick(focus, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert "End the live stream?" in studio.asked[-1]  # stopping asks too
    assert not window.streaming
    studio.run_to(62)
    qtbot.waitUntil(lambda: engine.destination_stats() == [], timeout=10_000)


def test_hotkeys_are_ignored_while_typing(studio, qtbot):
    window = studio.window
    line_edit = window.transitions.duration.lineEdit()
    studio.run_to(1)
    qtbot.keyClick(line_edit, Qt.Key.Key_3)
    studio.run_to(2)
    assert studio.engine.preview_scene == "SIDE"  # unchanged: the 3 went into the field


def test_hotkey_dialog_refuses_a_conflict_and_saves_changes_in_the_show(studio, qtbot, tmp_path):
    dialog = HotkeysDialog(studio.window.current_document(), studio.window)
    qtbot.addWidget(dialog)
    dialog.set_key("record.toggle", "1")
    assert not dialog.try_accept()
    assert "1" in dialog.error_label.text() and "Scene 1 to preview" in dialog.error_label.text()
    dialog.set_key("record.toggle", "F9")
    assert dialog.try_accept()
    studio.window.set_hotkeys(dialog.result_hotkeys())
    path = tmp_path / "show.json"
    assert studio.window._write(path)
    assert load_show(path).hotkeys == {"record.toggle": "F9"}
    assert studio.window.bindings["record.toggle"] == "F9"


def test_moving_a_fader_changes_that_inputs_gain_in_the_engine(studio, qtbot):
    window, engine = studio.window, studio.engine
    strip = window.mixer.strip("tone")
    strip.fader.setValue(strip.fader.minimum() + (strip.fader.maximum() - strip.fader.minimum()) // 2)
    expected_db = strip.gain_db()
    assert expected_db < -1
    studio.run_to(3)
    assert engine.audio_input("tone").gain_db == pytest.approx(expected_db)
    assert window.dirty and window.windowTitle().startswith("Demo show*")
    assert window.current_document().audio_inputs[0].gain_db == pytest.approx(expected_db)


def test_settings_round_trip_through_the_show_file_and_restart_the_engine(studio, qtbot, tmp_path, monkeypatch):
    window = studio.window
    show = window.current_document()
    vertical = show.model_copy(
        update={
            "canvas": show.canvas.model_copy(update={"width": 1080, "height": 1920}),
            "encoder": show.encoder.model_copy(update={"bitrate_kbps": 4500}),
        }
    )
    old_engine = studio.engine
    window.apply_settings(vertical, window.preferences, needs_restart=True)
    qtbot.waitUntil(lambda: studio.engine is not None and studio.engine is not old_engine, timeout=10_000)
    assert studio.engine.show.canvas.height == 1920
    program = studio.engine.open_video_tap("program", 640, 640)
    studio.run_to(2)
    assert window.program_monitor.aspect == pytest.approx(1080 / 1920)  # the monitor is portrait
    picture = program.latest()
    assert picture.rgb.shape[0] > picture.rgb.shape[1]  # and so is the picture
    path = tmp_path / "vertical.json"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName", lambda *a, **k: (str(path), ""))
    assert window.save()
    loaded = load_show(path)
    assert (loaded.canvas.width, loaded.canvas.height, loaded.encoder.bitrate_kbps) == (1080, 1920, 4500)
    assert not window.dirty and window.preferences.last_show == str(path.resolve())


def test_closing_while_live_asks_then_stops_the_outputs_cleanly(studio, qtbot, rtmp_server, tmp_path):
    window = studio.window
    window.document = window.document.model_copy(
        update={"destinations": [DestinationSpec(id="t", name="Test", url=rtmp_server.url("").rstrip("/"), stream_key="close-key")]}
    )
    window.start_streaming()
    window.toggle_recording()
    recording = window.recording_path
    studio.clock.allow_until(2**62)  # from here the show runs freely: the close must stop it
    qtbot.waitUntil(lambda: studio.engine.stats().frames_produced > 90, timeout=20_000)

    studio.answer = False
    window.close()
    assert window.isVisible() and "Quit while on air?" in studio.asked[-1]
    assert studio.engine is not None and window.streaming

    studio.answer = True
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=20_000)
    window.host.wait_idle()
    probe = ffprobe(recording)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert int(video["nb_read_frames"]) > 90  # finalized and readable
    assert rtmp_server.wait_for_recordings("close-key")  # the stream ended, and nginx closed its file


def test_layout_is_saved_and_restored(qtbot, tmp_path):
    first = SteppedStudio(qtbot, tmp_path)
    first.window.mixer_dock.hide()
    first.window.close()  # not on air, nothing unsaved: closes after stopping the engine
    qtbot.waitUntil(lambda: not first.window.isVisible(), timeout=10_000)
    assert first.store.load().window_state
    second = SteppedStudio(qtbot, tmp_path)
    try:
        assert second.window.findChild(QDockWidget, "mixer").isHidden()
        assert not second.window.findChild(QDockWidget, "scenes").isHidden()
        second.window.reset_layout()
        assert not second.window.findChild(QDockWidget, "mixer").isHidden()
    finally:
        second.close()


def test_unsaved_changes_are_asked_about(studio, qtbot, tmp_path):
    window = studio.window
    window.mark_dirty()
    window.ask_save_changes = lambda: "cancel"
    window.new_show()
    assert window.document.name == "Demo show"  # cancelled: nothing replaced
    window.ask_save_changes = lambda: "discard"
    window.new_show()
    assert window.document.name == "New show" and not window.dirty
    studio.wait_for_engine()
    assert studio.engine.scene_names == ["FRONT", "SIDE", "BACK", "DETAIL", "GRID", "PIP", "GUEST"]  # no camera here: the demo's


def test_a_bad_show_file_keeps_the_open_show_and_names_the_file_and_field(studio, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "scenes": [{"id": "a", "name": "A", "layout": {"kind": "full", "sources": ["nope"]}}]}')
    assert not studio.window.open_show(bad)
    assert str(bad) in studio.told[-1] and "scenes[0].layout.sources[0]" in studio.told[-1]
    assert studio.window.document.name == "Demo show"


def test_a_bad_last_show_opens_the_demo_with_an_error(tmp_path):
    from studio.gui.desktop import initial_show

    bad = tmp_path / "broken.json"
    bad.write_text('{"schema_version": 1, "canvas": {"fps": 29}, "scenes": []}')
    show, path, error = initial_show(None, Preferences(last_show=str(bad)))
    assert show.name == "Demo show" and path is None
    assert str(bad) in error and "canvas.fps" in error


def test_the_last_show_reopens(tmp_path):
    from studio.gui.desktop import initial_show

    path = tmp_path / "mine.json"
    save_show(builtin_show("demo").model_copy(update={"name": "Mine"}), path)
    show, opened, error = initial_show(None, Preferences(last_show=str(path)))
    assert (show.name, opened, error) == ("Mine", path, None)


def test_chinese_translation_is_used_for_a_chinese_locale(qapp):
    from PySide6.QtCore import QCoreApplication

    from studio.gui.i18n import install_translators, resolve_language

    assert resolve_language("system", QLocale("zh_CN")) == "zh_CN"
    assert resolve_language("system", QLocale("en_US")) == "en"
    translators = install_translators(qapp, "zh_CN")
    try:
        assert QCoreApplication.translate("TransitionPanel", "Cut") == "切换"
        assert QCoreApplication.translate("MainWindow", "Go Live") == "开播"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def test_studio_without_a_display_says_how_to_run_headless():
    environment = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-m", "studio"], capture_output=True, text=True, timeout=60, env=environment, cwd=REPO_ROOT)
    assert result.returncode == 0
    assert "no display" in result.stdout and "studio run" in result.stdout


@pytest.mark.parametrize("size", ["1366x768"])
def test_screenshot_command_renders_the_running_demo(tmp_path, size):
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "-m", "studio", "screenshot", "--out", str(out), "--size", size, "--settle", "1.5"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    from PIL import Image

    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape[:2] == (768, 1366)
    # The monitors show live test patterns: the program's red and the preview's green are there.
    reds = np.count_nonzero((image[..., 0] > 180) & (image[..., 1] < 80) & (image[..., 2] < 80))
    greens = np.count_nonzero((image[..., 1] > 140) & (image[..., 0] < 80) & (image[..., 2] < 100))
    assert reds > 20_000 and greens > 20_000


def test_a_new_show_is_refused_while_recording(studio):
    studio.window.toggle_recording()
    studio.window.new_show()
    assert studio.window.document.name == "Demo show"
    assert "Stop streaming and recording" in studio.told[-1]
    studio.window.toggle_recording()


def test_a_split_recording_keeps_the_record_button_on(qtbot, tmp_path):
    show = builtin_show("demo")
    show = show.model_copy(update={"recording": show.recording.model_copy(update={"split_every_s": 10})})
    studio = SteppedStudio(qtbot, tmp_path, show)
    try:
        window = studio.window
        window.toggle_recording()
        first = window.recording_path
        studio.run_to(10 * FPS + 5)  # past the split at 10 s
        qtbot.waitUntil(lambda: window._recording_part != first, timeout=60_000)  # a deadline for a busy machine
        assert window._recording_part.name == f"{first.stem}-002.mkv"
        window._check_recording_ended(first)  # what the deferred check after the first part's "stopped" does
        assert window.recording_path == first and window.record_button.text() == "Stop Recording"
        window.toggle_recording()
    finally:
        studio.close()


def test_the_t_bar_mixes_by_hand_and_completes_at_the_end(studio, qtbot):
    window, engine = studio.window, studio.engine
    program = engine.open_video_tap("program", 320, 180)
    studio.run_to(1)
    changes = record_program_changes(engine, studio.clock)
    window.transitions.tbar.setValue(500)  # halfway: FRONT (red) mixed with SIDE (green)
    studio.run_to(2)
    colour = colour_of(program)
    assert 80 < colour[0] < 160 and 70 < colour[1] < 140, f"expected a half mix of red and green, got {colour}"
    assert changes == []
    window.transitions.tbar.setValue(1000)
    studio.run_to(3)
    assert changes == [("SIDE", tick_ns(3))]
    assert window.transitions.tbar.value() == 0  # springs back, ready for the next


def colour_of(tap) -> np.ndarray:
    picture = tap.latest()
    return picture.rgb[picture.rgb.shape[0] // 3, picture.rgb.shape[1] // 4].astype(int)


def test_a_missing_camera_shows_no_signal_in_the_multiview(qtbot, tmp_path):
    show = builtin_show("demo")
    camera = show.sources[0].model_copy(update={"kind": "camera", "settings": {"device": str(tmp_path / "no-such-camera")}})
    studio = SteppedStudio(qtbot, tmp_path, show.model_copy(update={"sources": [camera, *show.sources[1:]]}))
    try:
        views = studio.window.multiview.views
        qtbot.waitUntil(lambda: views[camera.id].no_signal, timeout=10_000)
        assert "no-such-camera" in views[camera.id].toolTip()
        assert not any(view.no_signal for source_id, view in views.items() if source_id != camera.id)
    finally:
        studio.close()


def test_the_status_bar_shows_program_destinations_recording_and_disk(studio):
    from studio.engine.events import ProgramStats
    from studio.engine.outputs.stream import DestinationStats, OutputState

    status = studio.window.status
    status.recording_started()
    destination = DestinationStats(name="Douyin", url="rtmp://x/live/****", state=OutputState.LIVE, bitrate_kbps=5980)
    status.update_stats(ProgramStats(30, 30, 2, 1, 3, 0, NS_PER_SECOND, True, (destination,)))
    assert "dropped 5" in status.program_label.text() and "lagged 1" in status.program_label.text()
    assert "Douyin LIVE 5980 kbps" in status.outputs_label.text()
    assert "REC 0:00:0" in status.recording_label.text()
    assert "GB free" in status.disk_label.text() and "CPU" in status.cpu_label.text()


def test_a_hotkey_clash_in_a_show_file_is_reported_and_the_defaults_run(qtbot, tmp_path):
    show = builtin_show("demo").model_copy(update={"hotkeys": {"record.toggle": "1"}})
    studio = SteppedStudio(qtbot, tmp_path, show)
    try:
        qtbot.waitUntil(lambda: bool(studio.told), timeout=5000)
        assert "already bound" in studio.told[-1] and "Scene 1 to preview" in studio.told[-1]
        assert studio.window.bindings["record.toggle"] == "Ctrl+Shift+R"
        assert studio.window.current_document().hotkeys == {"record.toggle": "1"}  # kept for the user to fix
    finally:
        studio.close()


def test_the_remote_control_drives_the_window_like_a_button(qtbot, tmp_path):
    import obsws_python

    from tests.servers import free_port

    port = free_port()
    store = PreferencesStore(tmp_path / "config")
    store.save(Preferences(recording_folder=str(tmp_path / "recordings"), remote_port=port))
    studio = SteppedStudio(qtbot, tmp_path)
    try:
        window = studio.window
        password = window.preferences.remote_password
        assert len(password) >= 12  # made on first run, saved for Settings
        assert window.preferences_store.load().remote_password == password
        client = obsws_python.ReqClient(host="127.0.0.1", port=port, password=password, timeout=10)
        try:
            client.set_current_program_scene("BACK")
            studio.run_to(1)
            assert studio.engine.program_scene == "BACK"
            client.start_record()
            qtbot.waitUntil(lambda: window.recording_path is not None, timeout=5000)
            # The button follows the session's on-air event, queued onto the GUI thread.
            qtbot.waitUntil(lambda: window.record_button.text() == "Stop Recording", timeout=5000)
            client.stop_record()
            qtbot.waitUntil(lambda: window.recording_path is None, timeout=5000)
            client.trigger_hotkey_by_name("preview_scene.4")
            # The server queued the key onto the GUI thread before it answered: deliver it.
            QCoreApplication.processEvents()
            studio.run_to(2)
            assert studio.engine.preview_scene == "DETAIL"
            # A new engine (settings that need one): the same server answers from it, clients stay.
            old_engine = studio.engine
            window.apply_settings(window.current_document(), window.preferences, needs_restart=True)
            qtbot.waitUntil(lambda: studio.engine is not None and studio.engine is not old_engine, timeout=10_000)
            client.set_current_preview_scene("GRID")
            studio.run_to(1)
            assert studio.engine.preview_scene == "GRID"
        finally:
            client.disconnect()
    finally:
        studio.close()


def test_a_comments_api_port_in_use_is_reported_and_the_feed_still_runs(qtbot, tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        show = builtin_show("demo")
        comments = show.comments.model_copy(update={"api_port": port, "api_token": SecretStr("token-123456")})
        studio = SteppedStudio(qtbot, tmp_path, show.model_copy(update={"comments": comments}))
        try:
            assert str(port) in studio.window.status.currentMessage()  # said in the status bar
            assert studio.window.comments is not None and studio.window.comments_panel._desk is studio.window.comments
        finally:
            studio.close()


def test_file_new_offers_a_show_of_the_attached_cameras(studio, qtbot):
    from studio.engine.sources.camera import CameraInfo

    window = studio.window
    window.list_devices = lambda: ([CameraInfo("/dev/video97", "Desk cam", "/dev/video97"), CameraInfo("/dev/video98", "Top cam", "/dev/video98")], ["default"])
    window.new_show()
    assert any("Desk cam, Top cam" in question for question in studio.asked)
    studio.wait_for_engine()
    document = window.document
    assert [s.name for s in document.sources] == ["Desk cam", "Top cam"]
    assert [s.name for s in document.scenes] == ["Camera 1", "Camera 2", "Grid", "Picture in picture"]
    assert [a.kind.value for a in document.audio_inputs] == ["microphone"]
    # Declined, or no camera at all: the demo's test patterns, named as a new show.
    studio.answer = False
    window.new_show()
    studio.wait_for_engine()
    assert window.document.name == "New show" and [s.name for s in window.document.sources] == ["FRONT", "SIDE", "BACK", "DETAIL", "Guest 1"]


def test_the_vertical_program_monitor_shows_the_other_canvas_on_the_same_tick(studio, qtbot):
    window, engine = studio.window, studio.engine
    assert window.canvas_column.isVisible() and window.canvas_monitor.aspect == pytest.approx(1080 / 1920)
    assert window.canvas_monitor.tally is not None  # red, like the landscape program's
    vertical = engine.open_video_tap("canvas:vertical", 180, 320)  # the test's own view
    studio.run_to(5)
    click_scene(qtbot, window, "BACK")
    qtbot.mouseClick(window.transitions.cut_button, Qt.MouseButton.LeftButton)
    studio.run_to(6)
    picture = vertical.latest()
    assert picture.tick == 6 and picture.rgb.shape[0] > picture.rgb.shape[1]  # portrait
    centre = picture.rgb[picture.rgb.shape[0] // 4, picture.rgb.shape[1] // 2].astype(int)
    assert centre[2] > 150 and centre[0] < 100, f"the vertical program should be BACK (blue) on tick 6, got {centre}"
    qtbot.waitUntil(lambda: window.canvas_monitor.title.endswith("BACK"))


def test_the_vertical_layout_is_edited_on_its_own_monitor_undone_and_reset(studio, qtbot):
    """Edit layout: the column shows the preview scene on the vertical canvas (green tally) and
    its layer editor edits the scene's layout there; main's layout stays, undo and Follow main
    derive it again."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from studio.gui.monitors import TALLY_PREVIEW, TALLY_PROGRAM

    window, session = studio.window, studio.window.session
    column, side_before = window.canvas_column, session.show.scene_by_ref("SIDE")
    assert not column.layer_editor.isVisible() and not column.follow_main_button.isVisible()
    qtbot.mouseClick(column.edit_button, Qt.MouseButton.LeftButton)
    assert column.editing and column.layer_editor.isVisible() and column.monitor.tally == TALLY_PREVIEW
    assert column.header.text() == "PREVIEW (VERTICAL)" and column.monitor.title.endswith("SIDE")
    assert column.monitor.tap is not None and column.monitor.tap.target == "canvas-preview:vertical"
    assert not column.follow_main_button.isEnabled()  # SIDE's vertical layout still follows main's

    rect = column.monitor.picture_rect()
    scale = rect.height() / 1920
    assert rect.height() > 100
    start = QPoint(round(rect.center().x()), round(rect.center().y()))
    end = QPoint(start.x(), start.y() + round(300 * scale))
    QTest.mousePress(column.layer_editor, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, start)
    QTest.mouseMove(column.layer_editor, end)
    QTest.mouseRelease(column.layer_editor, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier, end)
    side = session.show.scene_by_ref("SIDE")
    assert side.layout == side_before.layout and side.layers == side_before.layers  # main untouched
    moved = side.canvases["vertical"].layers[0]
    assert moved.source == "side" and abs(moved.y - 300) <= 2 / scale and moved.height == 1920
    qtbot.waitUntil(column.follow_main_button.isEnabled)

    tap = window.host.engine.open_video_tap("canvas-preview:vertical", 180, 320)
    studio.run_to(3)
    top = tap.latest().rgb[10, 90].astype(int)
    assert top[1] < 60, f"the top of SIDE's vertical preview should be empty after the move down, got {top}"

    window.history.stack.undo()
    assert "vertical" not in session.show.scene_by_ref("SIDE").canvases
    window.history.stack.redo()
    assert "vertical" in session.show.scene_by_ref("SIDE").canvases
    qtbot.mouseClick(column.follow_main_button, Qt.MouseButton.LeftButton)
    assert "vertical" not in session.show.scene_by_ref("SIDE").canvases
    qtbot.waitUntil(lambda: not column.follow_main_button.isEnabled())

    qtbot.mouseClick(column.program_button, Qt.MouseButton.LeftButton)
    assert not column.layer_editor.isVisible() and column.monitor.tally == TALLY_PROGRAM
    assert column.monitor.tap is not None and column.monitor.tap.target == "canvas:vertical"
    assert column.header.text() == "PROGRAM (VERTICAL)"


def test_the_overlays_on_the_vertical_canvas_are_placed_from_the_column(studio, qtbot):
    from studio.engine.overlay_placement import OverlayAnchor, OverlayKind

    window, session = studio.window, studio.window.session
    column = window.canvas_column
    assert column.overlays_button.isVisible()
    dialog = column.overlays_dialog()
    assert set(dialog.rows) == set(OverlayKind) and dialog.result_placements() == {}  # all default: nothing saved
    card, ticker = dialog.rows[OverlayKind.CARD], dialog.rows[OverlayKind.COMMENT_TICKER]
    card.anchor.setCurrentIndex(card.anchor.findData("bottom"))
    card.margin.setValue(200)
    ticker.visible.setChecked(False)
    assert not ticker.anchor.isEnabled()  # nothing to place for an overlay left off this canvas
    placements = dialog.result_placements()
    assert set(placements) == {"card", "comment-ticker"}
    assert column.apply_overlays(placements) and window.dirty
    saved = session.show.canvases["vertical"].overlays
    assert saved[OverlayKind.CARD].anchor is OverlayAnchor.BOTTOM and saved[OverlayKind.CARD].margin_px == 200
    assert saved[OverlayKind.COMMENT_TICKER].visible is False
    again = column.overlays_dialog()  # opened again: what was saved
    assert again.rows[OverlayKind.CARD].margin.value() == 200 and not again.rows[OverlayKind.COMMENT_TICKER].visible.isChecked()
