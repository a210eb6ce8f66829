"""Device pickers in the generated settings forms: displays from a real (private) X server,
microphones from a real (private) PulseAudio, cameras from the dialog's camera list, offered
values, and a value typed by hand still accepted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox

from studio.engine.builtin_shows import demo_show_data
from studio.engine.devices import DeviceChoice, camera_choices, device_choices, screen_choices
from studio.engine.show import parse_show
from studio.engine.sources.camera import CameraInfo, CameraMode, CameraSettings
from studio.engine.sources.screen import ScreenSettings
from studio.gui import settings_dialog as settings_module
from studio.gui.preferences import Preferences
from studio.gui.schema_form import SchemaForm
from studio.gui.settings_dialog import SettingsDialog
from tests.conftest import REPO_ROOT


def items(combo: QComboBox) -> list[tuple[object, str]]:
    return [(combo.itemData(index), combo.itemText(index)) for index in range(combo.count())]


def screen_show():
    data = demo_show_data()
    data["sources"].insert(0, {"id": "desk", "name": "DESK", "kind": "screen", "settings": {"fps": 10}})
    return parse_show(data)


# -- displays ------------------------------------------------------------------------------------


def test_screen_form_offers_the_displays_of_the_x_server(qtbot, private_x_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", private_x_display.name)
    form = SchemaForm(ScreenSettings, {"fps": 10})
    qtbot.addWidget(form)
    picker = form.choice_box("display")
    assert picker is not None and picker.isEditable()
    assert items(picker) == [(1, "1: 640x480 at 0,0")]
    assert isinstance(form.editor("display"), QLineEdit)
    assert form.value("display") == 1 and picker.currentIndex() == 0
    assert form.values() == {"fps": 10}, "opening the form changes nothing"
    # A display that is not connected now can still be typed.
    form.editor("display").setText("2")
    assert form.values() == {"fps": 10, "display": 2}
    assert form.validate() is None
    form.editor("display").setText("second")
    message = form.validate()
    assert message is not None and message.startswith("Display:")
    picker.setCurrentIndex(0)
    assert form.value("display") == 1 and form.validate() is None


def test_the_settings_dialog_shows_a_screen_source_with_its_display_picker(qtbot, private_x_display, monkeypatch):
    monkeypatch.setenv("DISPLAY", private_x_display.name)
    dialog = SettingsDialog(screen_show(), Preferences(language="en"))
    qtbot.addWidget(dialog)
    assert "screen capture" in dialog.source_groups["desk"].title()
    form = dialog.source_forms["desk"]
    assert items(form.choice_box("display")) == [(1, "1: 640x480 at 0,0")]
    form.editor("x").setValue(100)
    form.editor("width").setValue(320)
    form.editor("height").setValue(240)
    assert dialog.try_accept(), dialog.error_label.text()
    assert dialog.result_show().source_by_ref("desk").settings == {"fps": 10, "x": 100, "width": 320, "height": 240}


def test_without_an_x_display_the_display_is_typed(qtbot, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    assert device_choices("screen") == []
    form = SchemaForm(ScreenSettings, {"display": 2})
    qtbot.addWidget(form)
    assert form.choice_box("display").count() == 0
    assert form.editor("display").text() == "2"
    assert form.values() == {"display": 2}


def test_several_monitors_offer_all_of_them_together():
    displays = [
        {"index": 1, "width": 1920, "height": 1080, "left": 0, "top": 0},
        {"index": 2, "width": 1280, "height": 1024, "left": 1920, "top": 0},
    ]
    assert screen_choices(displays) == [
        DeviceChoice(0, "0: all monitors (3200x1080)"),
        DeviceChoice(1, "1: 1920x1080 at 0,0"),
        DeviceChoice(2, "2: 1280x1024 at 1920,0"),
    ]


# -- cameras ---------------------------------------------------------------------------------------

ACME = CameraInfo(
    "usb-Acme_Cam-video-index0", "Acme Cam", "/dev/video0",
    [CameraMode(1920, 1080, 30.0, "MJPG"), CameraMode(640, 480, 30.0, "YUYV"), CameraMode(1280, 720, 30.0, "MJPG")],
)
OTHER = CameraInfo("/dev/video2", "Other Cam", "/dev/video2", [], "modes unknown: v4l2-ctl not found (install v4l-utils)")


def camera_show(device: str):
    data = demo_show_data()
    data["sources"].insert(0, {"id": "cam", "name": "CAM", "kind": "camera", "settings": {"device": device}})
    return parse_show(data)


def test_camera_form_picks_a_camera_by_name_and_stores_its_identity(qtbot):
    asked: list[str] = []

    def provider(kind: str):
        asked.append(kind)
        return camera_choices([ACME, OTHER])

    form = SchemaForm(CameraSettings, {"device": "/dev/video9"}, device_choices=provider)
    qtbot.addWidget(form)
    picker = form.choice_box("device")
    assert items(picker) == [("usb-Acme_Cam-video-index0", "Acme Cam (/dev/video0)"), ("/dev/video2", "Other Cam (/dev/video2)")]
    assert asked == ["camera"], "the device list is asked once per form"
    assert form.editor("device").text() == "/dev/video9", "a camera not connected keeps its identity"
    picker.setCurrentIndex(0)
    assert form.editor("device").text() == "Acme Cam (/dev/video0)"
    assert form.values()["device"] == "usb-Acme_Cam-video-index0"
    # The mode fields stay numbers; the pixel format offers the usual formats, and any can be typed.
    assert isinstance(form.editor("width"), QSpinBox)
    assert items(form.choice_box("pixel_format")) == [("MJPG", "MJPG"), ("YUYV", "YUYV")]
    form.editor("pixel_format").setText("NV12")
    assert form.values()["pixel_format"] == "NV12"


def test_choosing_a_camera_offers_its_modes(qtbot, monkeypatch):
    monkeypatch.setattr(settings_module, "list_cameras", lambda: [ACME, OTHER])
    dialog = SettingsDialog(camera_show("/dev/video9"), Preferences(language="en"))
    qtbot.addWidget(dialog)
    form, modes = dialog.source_forms["cam"], dialog.mode_combos["cam"]
    assert not modes.isEnabled()
    picker = form.choice_box("device")
    picker.setCurrentIndex(picker.findData("usb-Acme_Cam-video-index0"))
    assert modes.isEnabled()
    assert [modes.itemText(index) for index in range(1, modes.count())] == [
        "MJPG 1920x1080 @ 30 fps", "YUYV 640x480 @ 30 fps", "MJPG 1280x720 @ 30 fps"
    ]
    assert items(form.choice_box("pixel_format")) == [("MJPG", "MJPG"), ("YUYV", "YUYV")]
    index = modes.findText("YUYV 640x480 @ 30 fps")
    modes.setCurrentIndex(index)
    modes.activated.emit(index)
    assert dialog.try_accept(), dialog.error_label.text()
    assert dialog.result_show().source_by_ref("cam").settings == {
        "device": "usb-Acme_Cam-video-index0", "width": 640, "height": 480, "pixel_format": "YUYV"
    }
    # A camera whose modes are unknown: typed in, and the note says why.
    picker.setCurrentIndex(picker.findData("/dev/video2"))
    assert not modes.isEnabled()
    assert "v4l2-ctl not found" in dialog.camera_notes["cam"].text()


# -- microphones -------------------------------------------------------------------------------

MICROPHONE_PICKER_SCRIPT = r"""
import json
from PySide6.QtWidgets import QApplication
from studio.engine.builtin_shows import demo_show_data
from studio.engine.devices import device_choices
from studio.engine.show import parse_show
from studio.gui.preferences import Preferences
from studio.gui.settings_dialog import SettingsDialog

app = QApplication([])
data = demo_show_data()
data["audio_inputs"].append({"id": "mic", "name": "Host mic", "kind": "microphone"})
dialog = SettingsDialog(parse_show(data), Preferences(language="en"))
field = dialog.microphone_fields["mic"]
combo = field.combo
report = {
    "choices": [list(choice) for choice in device_choices("microphone")],
    "items": [[combo.itemData(i), combo.itemText(i)] for i in range(combo.count())] if combo else None,
    "editable": bool(combo and combo.isEditable()),
}
combo.setCurrentIndex(combo.findData(report["choices"][-1][0]) if report["choices"] else 0)
picked = field.value()
combo.setEditText("hw:7,0")
report.update(picked=picked, typed=field.value())
print(json.dumps(report))
"""


def test_the_microphone_picker_lists_the_devices_portaudio_finds(private_pulseaudio):
    # PortAudio reads the sound system once, when sounddevice is first imported: a process of
    # its own, started inside the private PulseAudio's environment.
    result = subprocess.run(
        [sys.executable, "-c", MICROPHONE_PICKER_SCRIPT],
        env={**private_pulseaudio, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    choices = [tuple(choice) for choice in report["choices"]]
    assert choices, "PortAudio listed no input device through the private PulseAudio"
    assert ("pulse", "pulse") in choices, choices
    assert report["editable"]
    assert report["items"] == [[None, "Default"]] + [[value, label] for value, label in choices]
    assert report["picked"] == choices[-1][0]
    assert report["typed"] == "hw:7,0"


@pytest.mark.parametrize("kind", ["camera", "screen", "microphone", "tape deck"])
def test_device_choices_never_raise(kind, monkeypatch):
    def broken():
        raise OSError("PortAudio library not found")

    monkeypatch.setattr("studio.engine.devices.import_sounddevice", broken)
    monkeypatch.delenv("DISPLAY", raising=False)
    choices = device_choices(kind)
    assert isinstance(choices, list)
    if kind in ("microphone", "screen", "tape deck"):
        assert choices == []
