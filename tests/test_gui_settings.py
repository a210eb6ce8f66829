"""The Settings dialog and the generic settings form: a round trip through the show file, the
checks on OK, secrets kept masked, and the editors locked while on air."""

from __future__ import annotations

import dataclasses
import logging
from enum import Enum
from typing import Literal

import pytest
from pydantic import BaseModel, Field


from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QSpinBox,
)

from studio.engine.builtin_shows import builtin_show, demo_show_data
from studio.engine.show import load_show, parse_show, save_show
from studio.engine.sources.camera import CameraInfo, CameraMode
from studio.gui import settings_dialog as settings_module
from studio.gui.preferences import Preferences
from studio.gui.schema_form import SchemaForm
from studio.gui.settings_dialog import SettingsDialog

KEY = "secret-key-123"


@pytest.fixture
def preferences(tmp_path):
    return Preferences(recent_shows=["/shows/a.json"], language="en", recording_folder=str(tmp_path / "recordings"))


def open_dialog(qtbot, show, preferences, **kwargs) -> SettingsDialog:
    dialog = SettingsDialog(show, preferences, **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def select_data(combo: QComboBox, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} not offered"
    combo.setCurrentIndex(index)


def add_destination(qtbot, dialog: SettingsDialog, url: str, key: str, name: str = "Local test") -> None:
    qtbot.mouseClick(dialog.add_destination_button, Qt.MouseButton.LeftButton)
    dialog.destination_name_edit.setText(name)
    select_data(dialog.destination_preset_combo, "custom")
    dialog.destination_url_edit.setText(url)
    dialog.stream_key_edit.setText(key)


def visible_texts(dialog: SettingsDialog) -> list[str]:
    texts = [dialog.windowTitle()]
    texts += [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
    texts += [dialog.destination_list.item(row).text() for row in range(dialog.destination_list.count())]
    texts += [dialog.tabs.tabText(index) for index in range(dialog.tabs.count())]
    return texts


# -- the round trip through the show file ---------------------------------------------------------


def test_round_trip_through_the_show_file(qtbot, tmp_path, preferences):
    show = builtin_show("demo")
    before = show.model_copy(deep=True)  # not another builtin_show("demo"): each demo has its own guest token
    dialog = open_dialog(qtbot, show, preferences)

    select_data(dialog.canvas_preset_combo, "1080x1920")
    select_data(dialog.fps_combo, 60)
    dialog.bitrate_spin.setValue(4500)
    add_destination(qtbot, dialog, "rtmp://127.0.0.1:1935/live", KEY)
    front = dialog.source_forms["front"]
    front.editor("label").setText("Front camera")
    front.editor("noise").setChecked(True)
    front.editor("fps").setValue(25)
    select_data(dialog.language_combo, "zh_CN")

    assert dialog.try_accept(), dialog.error_label.text()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    new_show = dialog.result_show()
    new_preferences = dialog.result_preferences()
    assert new_preferences.language == "zh_CN"
    assert new_preferences.recording_folder == preferences.recording_folder
    assert new_preferences.recent_shows == preferences.recent_shows
    assert preferences.language == "en", "the caller's preferences are not touched"
    assert dialog.needs_restart()
    assert show == before, "the caller's show is not touched"

    path = tmp_path / "s.json"
    save_show(new_show, path)
    loaded = load_show(path)
    assert loaded == new_show
    assert (loaded.canvas.width, loaded.canvas.height, loaded.canvas.fps) == (1080, 1920, 60)
    assert loaded.encoder.bitrate_kbps == 4500
    [destination] = loaded.destinations
    assert destination.id == "dest-1"
    assert destination.full_url() == f"rtmp://127.0.0.1:1935/live/{KEY}"
    settings = loaded.source_by_ref("front").settings
    assert settings == {
        "colour": "#c82828", "width": 1280, "height": 720, "fps": 25, "label": "Front camera", "noise": True
    }
    # Untouched sources keep exactly what the file said (no defaults added).
    assert loaded.source_by_ref("side").settings == show.source_by_ref("side").settings

    again = open_dialog(qtbot, loaded, new_preferences)
    assert again.canvas_preset_combo.currentData() == "1080x1920"
    assert (again.width_spin.value(), again.height_spin.value()) == (1080, 1920)
    assert again.fps_combo.currentData() == 60
    assert again.bitrate_spin.value() == 4500
    assert again.keyframe_spin.value() == 2000
    assert again.audio_bitrate_spin.value() == 160
    assert again.encoder_combo.currentData() == "auto"
    assert again.encoder_preset_combo.currentData() == "veryfast"
    assert again.destination_list.count() == 1
    assert again.destination_name_edit.text() == "Local test"
    assert again.destination_preset_combo.currentData() == "custom"
    assert again.destination_url_edit.text() == "rtmp://127.0.0.1:1935/live"
    assert again.stream_key_edit.text() == KEY
    assert again.stream_key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert again.destination_enabled_check.isChecked()
    form = again.source_forms["front"]
    assert form.editor("label").text() == "Front camera"
    assert form.editor("noise").isChecked()
    assert form.editor("fps").value() == 25
    assert form.editor("colour").text() == "#c82828"
    assert again.language_combo.currentData() == "zh_CN"
    assert again.recording_folder_edit.text() == preferences.recording_folder
    # Opening and accepting without changes changes nothing.
    assert again.try_accept()
    assert again.result_show() == loaded
    assert not again.needs_restart()


def test_video_presets_and_custom_size(qtbot, preferences):
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    assert dialog.canvas_preset_combo.currentData() == "1920x1080"
    assert not dialog.width_spin.isEnabled()
    select_data(dialog.canvas_preset_combo, "custom")
    assert dialog.width_spin.isEnabled() and dialog.height_spin.isEnabled()
    dialog.width_spin.setValue(1001)  # odd: rounded down to even
    dialog.height_spin.setValue(600)
    assert dialog.try_accept(), dialog.error_label.text()
    canvas = dialog.result_show().canvas
    assert (canvas.width, canvas.height) == (1000, 600)
    reopened = open_dialog(qtbot, dialog.result_show(), preferences)
    assert reopened.canvas_preset_combo.currentData() == "custom"
    assert reopened.width_spin.isEnabled()


def test_output_settings_saved(qtbot, preferences, tmp_path):
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    select_data(dialog.encoder_combo, "x264")
    select_data(dialog.encoder_preset_combo, "fast")
    dialog.keyframe_spin.setValue(1000)
    dialog.audio_bitrate_spin.setValue(128)
    dialog.remux_check.setChecked(True)
    dialog.recording_folder_edit.setText(str(tmp_path / "elsewhere"))
    assert dialog.try_accept(), dialog.error_label.text()
    encoder = dialog.result_show().encoder
    assert (encoder.encoder.value, encoder.preset, encoder.keyframe_interval_ms, encoder.audio_bitrate_kbps) == (
        "x264", "fast", 1000, 128
    )
    assert dialog.result_show().recording.remux_to_mp4
    assert dialog.result_preferences().recording_folder == str(tmp_path / "elsewhere")
    assert dialog.needs_restart()


# -- refusing OK ----------------------------------------------------------------------------------


def test_bad_destination_url_refuses_ok_naming_the_destination(qtbot, preferences, caplog):
    caplog.set_level(logging.DEBUG)
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    add_destination(qtbot, dialog, "ftp://x", KEY, name="Douyin shop")
    dialog.tabs.setCurrentIndex(0)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    message = dialog.error_label.text()
    assert "Douyin shop" in message and "ftp://" in message
    assert not dialog.error_label.isHidden()
    assert dialog.tabs.currentWidget() is dialog.destinations_tab
    assert KEY not in message
    assert all(KEY not in record.getMessage() for record in caplog.records)
    with pytest.raises(RuntimeError):
        dialog.result_show()
    # Fixing it lets OK through; the message goes away.
    dialog.destination_url_edit.setText("rtmp://127.0.0.1:1935/live")
    assert dialog.try_accept()
    assert dialog.error_label.isHidden()


def test_empty_custom_url_and_empty_name_are_refused(qtbot, preferences):
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    qtbot.mouseClick(dialog.add_destination_button, Qt.MouseButton.LeftButton)
    assert not dialog.try_accept()
    assert "Destination 1" in dialog.error_label.text()
    dialog.destination_url_edit.setText("rtmp://127.0.0.1/live")
    dialog.destination_name_edit.setText("")
    assert not dialog.try_accept()
    assert "name" in dialog.error_label.text()


def test_invalid_source_setting_refuses_ok_naming_source_and_field(qtbot, preferences):
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    dialog.source_forms["side"].editor("width").setValue(1281)  # must be even
    assert not dialog.try_accept()
    message = dialog.error_label.text()
    assert "SIDE" in message and "Width" in message and "multiple of 2" in message
    assert dialog.tabs.currentWidget() is dialog.cameras_tab
    dialog.source_forms["side"].editor("width").setValue(1280)
    dialog.source_forms["side"].editor("colour").setText("not a colour")
    assert not dialog.try_accept()
    assert "Colour" in dialog.error_label.text()


def test_cancel_leaves_the_show_unchanged(qtbot, preferences):
    show = builtin_show("demo")
    before = show.model_copy(deep=True)  # not another builtin_show("demo"): each demo has its own guest token
    dialog = open_dialog(qtbot, show, preferences)
    select_data(dialog.canvas_preset_combo, "720x1280")
    dialog.bitrate_spin.setValue(300)
    add_destination(qtbot, dialog, "rtmp://127.0.0.1/live", KEY)
    dialog.source_forms["front"].editor("noise").setChecked(True)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == SettingsDialog.DialogCode.Rejected
    assert show == before
    assert preferences.language == "en"
    with pytest.raises(RuntimeError):
        dialog.result_preferences()
    assert not dialog.needs_restart()


# -- needs_restart -----------------------------------------------------------------------------------


def test_language_and_destination_changes_need_no_restart(qtbot, preferences):
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    select_data(dialog.language_combo, "zh_CN")
    add_destination(qtbot, dialog, "rtmp://127.0.0.1:1935/live", KEY)
    assert dialog.try_accept()
    assert not dialog.needs_restart()
    assert len(dialog.result_show().destinations) == 1


def test_canvas_change_needs_restart(qtbot, preferences):
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    select_data(dialog.fps_combo, 50)
    assert dialog.try_accept()
    assert dialog.needs_restart()


def test_removing_a_destination(qtbot, preferences):
    data = demo_show_data()
    data["destinations"] = [
        {"id": "dest-1", "name": "One", "url": "rtmp://127.0.0.1/live", "stream_key": "k1"},
        {"id": "dest-2", "name": "Two", "preset": "twitch", "stream_key": "k2", "enabled": False},
    ]
    dialog = open_dialog(qtbot, parse_show(data), preferences)
    assert dialog.destination_list.item(1).text() == "Two (off)"
    dialog.destination_list.setCurrentRow(1)
    assert not dialog.destination_url_edit.isEnabled()
    assert dialog.destination_url_edit.text() == "rtmp://live.twitch.tv/app"
    qtbot.mouseClick(dialog.add_destination_button, Qt.MouseButton.LeftButton)
    assert dialog.destination_list.count() == 3
    dialog.destination_list.setCurrentRow(2)
    qtbot.mouseClick(dialog.remove_destination_button, Qt.MouseButton.LeftButton)
    dialog.destination_list.setCurrentRow(0)
    qtbot.mouseClick(dialog.remove_destination_button, Qt.MouseButton.LeftButton)
    assert dialog.try_accept(), dialog.error_label.text()
    [left] = dialog.result_show().destinations
    assert (left.id, left.preset, left.stream_key.get_secret_value(), left.enabled) == ("dest-2", "twitch", "k2", False)
    assert not dialog.needs_restart()


# -- secrets -------------------------------------------------------------------------------------


def test_stream_key_masked_until_show_is_checked(qtbot, preferences):
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    add_destination(qtbot, dialog, "rtmp://127.0.0.1:1935/live", KEY)
    dialog.show()
    qtbot.waitExposed(dialog)
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        dialog.grab()
        assert all(KEY not in text for text in visible_texts(dialog))
    assert dialog.stream_key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.show_key_button.isCheckable() and not dialog.show_key_button.isChecked()
    dialog.tabs.setCurrentWidget(dialog.destinations_tab)
    qtbot.mouseClick(dialog.show_key_button, Qt.MouseButton.LeftButton)
    assert dialog.stream_key_edit.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.mouseClick(dialog.show_key_button, Qt.MouseButton.LeftButton)
    assert dialog.stream_key_edit.echoMode() == QLineEdit.EchoMode.Password
    # Shown, then another destination is selected: masked again.
    qtbot.mouseClick(dialog.show_key_button, Qt.MouseButton.LeftButton)
    add_destination(qtbot, dialog, "rtmp://127.0.0.1:1935/live", "other-key", name="Second")
    assert dialog.stream_key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not dialog.show_key_button.isChecked()


# -- on air -----------------------------------------------------------------------------------------


def test_live_disables_canvas_encoder_and_sources(qtbot, preferences):
    show = builtin_show("demo")
    dialog = open_dialog(qtbot, show, preferences, live=True)
    dialog.show()
    qtbot.waitExposed(dialog)
    for widget in (dialog.canvas_preset_combo, dialog.width_spin, dialog.height_spin, dialog.fps_combo,
                   dialog.encoder_combo, dialog.bitrate_spin, dialog.source_forms["front"].editor("width")):
        assert not widget.isEnabled()
    for tab in (dialog.video_tab, dialog.output_tab, dialog.cameras_tab):
        dialog.tabs.setCurrentWidget(tab)
        texts = [label.text() for label in tab.findChildren(QLabel) if label.isVisible()]
        assert "Stop streaming and recording to change these" in texts
    # Destinations and the language still change while live; nothing needs a restart.
    assert dialog.destination_list.isEnabled() and dialog.add_destination_button.isEnabled()
    assert dialog.language_combo.isEnabled()
    select_data(dialog.language_combo, "zh_CN")
    add_destination(qtbot, dialog, "rtmp://127.0.0.1:1935/live", KEY)
    assert dialog.try_accept(), dialog.error_label.text()
    assert not dialog.needs_restart()
    assert dialog.result_show().canvas == show.canvas


def test_not_live_hides_the_live_note(qtbot, preferences):
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    dialog.show()
    assert all(not label.isVisible() for label in dialog.live_labels)
    assert dialog.width_spin.isEnabled() is False  # preset chosen: fixed size
    assert dialog.canvas_preset_combo.isEnabled()


# -- cameras -----------------------------------------------------------------------------------------


def camera_show(device: str = "/dev/video0"):
    data = demo_show_data()
    data["sources"].insert(0, {"id": "cam", "name": "CAM", "kind": "camera", "settings": {"device": device}})
    return parse_show(data)


def test_camera_not_connected_shows_a_note_and_the_form(qtbot, preferences, monkeypatch):
    monkeypatch.setattr(settings_module, "list_cameras", list)
    dialog = open_dialog(qtbot, camera_show(), preferences)
    assert "camera not connected; modes can be typed in" in dialog.camera_notes["cam"].text().lower()
    assert not dialog.mode_combos["cam"].isEnabled()
    form = dialog.source_forms["cam"]
    assert set(form.field_names) == {"device", "width", "height", "fps", "pixel_format"}
    assert isinstance(form.editor("width"), QSpinBox) and form.editor("width").maximum() == 7680
    form.editor("width").setValue(1280)
    form.editor("height").setValue(720)
    form.editor("pixel_format").setText("YUYV")
    assert dialog.try_accept(), dialog.error_label.text()
    assert dialog.result_show().source_by_ref("cam").settings == {
        "device": "/dev/video0", "width": 1280, "height": 720, "pixel_format": "YUYV"
    }
    assert dialog.needs_restart()


def test_camera_modes_fill_the_form(qtbot, preferences, monkeypatch):
    camera = CameraInfo(
        "usb-Acme_Cam-video-index0", "Acme Cam", "/dev/video0",
        [CameraMode(1920, 1080, 30.0, "MJPG"), CameraMode(1280, 720, 60.0, "YUYV")],
    )
    monkeypatch.setattr(settings_module, "list_cameras", lambda: [camera])
    dialog = open_dialog(qtbot, camera_show("0"), preferences)
    combo = dialog.mode_combos["cam"]
    assert combo.isEnabled()
    index = combo.findText("YUYV 1280x720 @ 60 fps")
    assert index > 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    form = dialog.source_forms["cam"]
    values = form.values()
    assert (values["width"], values["height"], values["fps"], values["pixel_format"]) == (1280, 720, 60, "YUYV")
    # A device not connected: the note comes back.
    form.editor("device").setText("/dev/video9")
    assert "camera not connected" in dialog.camera_notes["cam"].text().lower()


# -- audio -----------------------------------------------------------------------------------------


def microphone_show():
    data = demo_show_data()
    data["audio_inputs"].append({"id": "mic", "name": "Host mic", "kind": "microphone", "device": "Old USB mic"})
    return parse_show(data)


class FakeSounddevice:
    @staticmethod
    def query_devices():
        return [
            {"name": "USB mic", "max_input_channels": 1, "max_output_channels": 0},
            {"name": "Headphones", "max_input_channels": 0, "max_output_channels": 2},
            {"name": "Loopback", "max_input_channels": 2, "max_output_channels": 2},
        ]


def test_audio_devices_from_portaudio(qtbot, preferences, monkeypatch):
    monkeypatch.setattr("studio.engine.devices.import_sounddevice", lambda: FakeSounddevice)
    dialog = open_dialog(qtbot, microphone_show(), preferences)
    mic = dialog.microphone_fields["mic"]
    assert mic.combo is not None
    assert [mic.combo.itemText(i) for i in range(mic.combo.count())] == [
        "Default", "USB mic", "Loopback", "Old USB mic (not connected)"
    ]
    assert mic.value() == "Old USB mic"
    monitor = dialog.monitor_device_field.combo
    assert [monitor.itemText(i) for i in range(monitor.count())] == ["None", "Headphones", "Loopback"]
    select_data(mic.combo, "USB mic")
    select_data(monitor, "Headphones")
    select_data(dialog.mix_minus_device_field.combo, "Loopback")
    assert dialog.try_accept(), dialog.error_label.text()
    show = dialog.result_show()
    assert show.audio_inputs[-1].device == "USB mic"
    assert (show.audio.monitor_device, show.audio.mix_minus_device) == ("Headphones", "Loopback")
    assert dialog.needs_restart()


def test_audio_without_portaudio_offers_text_fields(qtbot, preferences, monkeypatch):
    def missing():
        raise OSError("PortAudio library not found")

    monkeypatch.setattr("studio.engine.devices.import_sounddevice", missing)
    dialog = open_dialog(qtbot, microphone_show(), preferences)
    assert "PortAudio library not found" in dialog.audio_devices_note.text()
    mic = dialog.microphone_fields["mic"]
    assert mic.combo is None and mic.line_edit.text() == "Old USB mic"
    mic.line_edit.setText("")
    dialog.monitor_device_field.line_edit.setText("hw:1")
    assert dialog.try_accept(), dialog.error_label.text()
    show = dialog.result_show()
    assert show.audio_inputs[1].device is None
    assert show.audio.monitor_device == "hw:1" and show.audio.mix_minus_device is None


# -- the generic form ----------------------------------------------------------------------------------


class Shape(str, Enum):
    ROUND = "round"
    SQUARE_BOX = "square_box"


class Sample(BaseModel):
    model_config = {"extra": "forbid"}
    count: int = Field(5, ge=1, le=10, description="How many")
    gain: float = Field(0.5, ge=0.0, le=2.0)
    enabled: bool = False
    title: str = Field("hello", min_length=1)
    shape: Shape = Shape.ROUND
    rate: Literal[25, 30] = 30
    limit: int | None = Field(None, ge=10)
    server_url: str = ""


def test_schema_form_editors_follow_the_model(qtbot):
    form = SchemaForm(Sample, {"count": 3, "shape": "square_box"})
    qtbot.addWidget(form)
    count = form.editor("count")
    assert isinstance(count, QSpinBox) and (count.minimum(), count.maximum(), count.value()) == (1, 10, 3)
    assert count.toolTip() == "How many"
    assert isinstance(form.editor("gain"), QDoubleSpinBox) and form.editor("gain").maximum() == 2.0
    assert isinstance(form.editor("enabled"), QCheckBox)
    assert isinstance(form.editor("title"), QLineEdit) and form.editor("title").text() == "hello"
    shape = form.editor("shape")
    assert isinstance(shape, QComboBox) and shape.currentText() == "Square box"
    assert isinstance(form.editor("rate"), QComboBox) and form.editor("rate").currentText() == "30"
    assert form.editor("limit").value() == form.editor("limit").minimum()  # (none)
    assert form.editor("server_url").echoMode() == QLineEdit.EchoMode.Password
    assert [label.text() for label in form.findChildren(QLabel)][:2] == ["Count:", "Gain:"]
    # Unchanged: only what was given comes back, as it was given.
    assert form.values() == {"count": 3, "shape": "square_box"}
    form.editor("rate").setCurrentIndex(0)
    form.editor("limit").setValue(20)
    form.editor("gain").setValue(1.25)
    assert form.values() == {"count": 3, "shape": "square_box", "rate": 25, "limit": 20, "gain": 1.25}
    assert form.validate() is None
    Sample.model_validate(form.values())


def test_schema_form_names_the_bad_field_and_hides_secrets(qtbot):
    form = SchemaForm(Sample, {})
    qtbot.addWidget(form)
    form.editor("title").setText("")
    message = form.validate()
    assert message is not None and message.startswith("Title:")
    assert not form.error_label.isHidden()
    form.editor("title").setText("ok")
    assert form.validate() is None and form.error_label.isHidden()


def test_preferences_result_is_a_copy(qtbot, preferences):
    dialog = open_dialog(qtbot, builtin_show("demo"), preferences)
    assert dialog.try_accept()
    result = dialog.result_preferences()
    assert result is not preferences and result == dataclasses.replace(preferences)
    assert result.recent_shows is not preferences.recent_shows
