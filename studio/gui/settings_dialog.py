"""Settings: the show's canvas, encoder, destinations, sources, audio devices and where guests
connect (the Guests tab, studio/gui/guest_settings_tab.py), plus the app's language and
recording folder.

The dialog edits copies. On OK it checks everything (each source's settings, each destination's
URL, then the whole show through parse_show) and refuses with a line under the tabs naming what
is wrong; nothing is applied until the main window asks for result_show() and
result_preferences(). needs_restart() tells whether the engine must be rebuilt.

Stream keys (an SRT stream id, a WHIP bearer token) and SRT passphrases are masked by default
and never written into a label, a message or a log. The key's label follows the URL's kind; the
SRT settings (studio/gui/srt_settings_group.py) show only for an srt:// URL. A destination's
canvas picker (main, or another canvas of the show such as vertical) shows when there is a choice.
"""

from __future__ import annotations

import dataclasses
from typing import Any, get_args

from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from studio.engine.destination_settings import SrtSettings
from studio.engine.devices import DeviceChoice, camera_choices, device_choices, sound_device_names
from studio.engine.errors import InputError, input_error_from_validation
from studio.engine.outputs.stream_target import StreamKind, StreamTarget, check_destination_url
from studio.engine.show import (
    DESTINATION_PRESETS,
    MAIN_CANVAS,
    AudioInputKind,
    DestinationSpec,
    EncoderChoice,
    EncoderSettings,
    Show,
    SourceSpec,
    parse_show,
)
from studio.engine.sources.camera import CameraInfo, CameraSettings, list_cameras
from studio.gui.add_source_dialog import hidden_settings
from studio.gui.guest_settings_tab import GuestSettingsTab
from studio.gui.preferences import Preferences
from studio.gui.schema_form import ERROR_STYLE, SchemaForm
from studio.gui.srt_settings_group import SrtSettingsGroup, srt_entry

CANVAS_SIZE_MIN = 160
CANVAS_SIZE_MAX = 7680
FRAME_RATES = (25, 30, 50, 60)
ENCODER_PRESETS: tuple[str, ...] = get_args(EncoderSettings.model_fields["preset"].annotation)
DESTINATION_PRESET_IDS = ("custom", "youtube", "youtube_rtmps", "twitch")
LANGUAGE_CODES = ("system", "en", "zh_CN")
# What the pixel format picker offers when the camera does not say (the camera settings' own choices).
DEFAULT_PIXEL_FORMATS: tuple[str, ...] = tuple(
    CameraSettings.model_fields["pixel_format"].json_schema_extra["choices"]  # type: ignore[index]
)


def audio_device_names() -> tuple[list[str] | None, list[str] | None, str]:
    """(input names, output names, problem). The lists are None when PortAudio cannot be asked."""
    inputs, outputs, problem = sound_device_names()
    return inputs, outputs, problem


def find_camera(cameras: list[CameraInfo], device: str) -> CameraInfo | None:
    """The connected camera a source's `device` names (identity, name, path or node number)."""
    device = (device or "").strip()
    for camera in cameras:
        if device in (camera.identity, camera.name, camera.path):
            return camera
        if device.isdigit() and camera.path.endswith(f"video{device}"):
            return camera
    return None


class DeviceField(QWidget):
    """A sound device: an editable combo of the devices found (a name can still be typed: a
    device not plugged in yet, or a PortAudio number), or a text field when none can be listed.
    The first choice is `none_text` (the value None: the default device, or no device)."""

    def __init__(self, names: list[str] | None, none_text: str, current: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo: QComboBox | None = None
        self.line_edit: QLineEdit | None = None
        if names is None:
            self.line_edit = QLineEdit(current or "", self)
            self.line_edit.setPlaceholderText(none_text)
            layout.addWidget(self.line_edit)
            return
        self.combo = QComboBox(self)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItem(none_text, None)
        for name in names:
            self.combo.addItem(name, name)
        if current and current not in names:
            self.combo.addItem(self.tr("{device} (not connected)").format(device=current), current)
        self.combo.setCurrentIndex(max(0, self.combo.findData(current)) if current else 0)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(24)
        layout.addWidget(self.combo, 1)

    def value(self) -> str | None:
        if self.combo is not None:
            text = self.combo.currentText().strip()
            index = self.combo.findText(text)
            # A label from the list gives its device; anything else typed is the device's name.
            return self.combo.itemData(index) if index >= 0 else (text or None)
        text = self.line_edit.text().strip() if self.line_edit else ""
        return text or None

    def set_value(self, value: str | None) -> None:
        if self.combo is not None:
            index = self.combo.findData(value)
            if index < 0:
                self.combo.addItem(self.tr("{device} (not connected)").format(device=value), value)
                index = self.combo.count() - 1
            self.combo.setCurrentIndex(index)
        elif self.line_edit is not None:
            self.line_edit.setText(value or "")


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class SettingsDialog(QDialog):
    def __init__(
        self, show: Show, preferences: Preferences, parent: QWidget | None = None, *, live: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumSize(640, 480)
        self.resize(860, 620)
        self._show = show.model_copy(deep=True)
        self._preferences = preferences
        self._live = live
        self._result_show: Show | None = None
        self._result_preferences: Preferences | None = None
        self._loading = False
        self.live_labels: list[QLabel] = []

        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)
        self.video_tab = self._add_tab(self._build_video_tab(), self.tr("Video"))
        self.output_tab = self._add_tab(self._build_output_tab(), self.tr("Output"))
        self.destinations_tab = self._add_tab(self._build_destinations_tab(), self.tr("Destinations"))
        self.cameras_tab = self._add_tab(self._build_sources_tab(), self.tr("Cameras"))
        self.audio_tab = self._add_tab(self._build_audio_tab(), self.tr("Audio"))
        self.guests_settings = GuestSettingsTab(self._show.guests)
        self.guests_tab = self._add_tab(self.guests_settings, self.tr("Guests"))
        self.general_tab = self._add_tab(self._build_general_tab(), self.tr("General"))

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    # -- layout helpers ----------------------------------------------------------------------

    def _add_tab(self, content: QWidget, title: str) -> QScrollArea:
        scroll = QScrollArea(self.tabs)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.tabs.addTab(scroll, title)
        return scroll

    def _live_label(self, parent: QWidget) -> QLabel:
        label = _note(self.tr("Stop streaming and recording to change these"), parent)
        label.setStyleSheet("font-weight: bold;")
        label.setVisible(self._live)
        self.live_labels.append(label)
        return label

    # -- Video --------------------------------------------------------------------------------

    def _build_video_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self._live_label(page))
        self.video_editors = QGroupBox(self.tr("Canvas"), page)
        form = QFormLayout(self.video_editors)
        self.canvas_presets: list[tuple[str, tuple[int, int] | None]] = [
            (self.tr("1920x1080 (landscape)"), (1920, 1080)),
            (self.tr("1280x720"), (1280, 720)),
            (self.tr("1080x1920 (vertical, phones)"), (1080, 1920)),
            (self.tr("720x1280 (vertical)"), (720, 1280)),
            (self.tr("Custom"), None),
        ]
        self.canvas_preset_combo = QComboBox(self.video_editors)
        for text, size in self.canvas_presets:
            # Text data: QComboBox.findData compares Python objects by identity, strings by value.
            self.canvas_preset_combo.addItem(text, f"{size[0]}x{size[1]}" if size else "custom")
        form.addRow(self.tr("Size:"), self.canvas_preset_combo)
        self.width_spin = self._even_spin(self.video_editors)
        self.height_spin = self._even_spin(self.video_editors)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_spin)
        size_row.addWidget(QLabel("×", self.video_editors))
        size_row.addWidget(self.height_spin)
        size_row.addStretch(1)
        form.addRow(self.tr("Width × height:"), size_row)
        self.fps_combo = QComboBox(self.video_editors)
        for fps in FRAME_RATES:
            self.fps_combo.addItem(self.tr("{fps} frames per second").format(fps=fps), fps)
        form.addRow(self.tr("Frame rate:"), self.fps_combo)
        layout.addWidget(self.video_editors)
        layout.addWidget(
            _note(
                self.tr(
                    "The canvas is the picture that is streamed and recorded. Vertical suits viewers on "
                    "phones (Douyin, TikTok, Kuaishou live selling); sources are scaled into their boxes."
                ),
                page,
            )
        )
        layout.addStretch(1)

        canvas = self._show.canvas
        preset_index = next(
            (i for i, (_t, size) in enumerate(self.canvas_presets) if size == (canvas.width, canvas.height)),
            len(self.canvas_presets) - 1,
        )
        self.width_spin.setValue(canvas.width)
        self.height_spin.setValue(canvas.height)
        self.canvas_preset_combo.setCurrentIndex(preset_index)
        self._canvas_preset_changed(preset_index)
        self.canvas_preset_combo.currentIndexChanged.connect(self._canvas_preset_changed)
        self.fps_combo.setCurrentIndex(max(0, self.fps_combo.findData(canvas.fps)))
        self.video_editors.setEnabled(not self._live)
        return page

    def _even_spin(self, parent: QWidget) -> QSpinBox:
        spin = QSpinBox(parent)
        spin.setRange(CANVAS_SIZE_MIN, CANVAS_SIZE_MAX)
        spin.setSingleStep(2)
        spin.setSuffix(" px")
        spin.setMinimumWidth(110)
        spin.editingFinished.connect(lambda: spin.setValue(spin.value() & ~1))
        return spin

    def _canvas_preset_changed(self, index: int) -> None:
        size = self.canvas_presets[index][1] if 0 <= index < len(self.canvas_presets) else None
        custom = size is None
        self.width_spin.setEnabled(custom)
        self.height_spin.setEnabled(custom)
        if not custom:
            self.width_spin.setValue(size[0])
            self.height_spin.setValue(size[1])

    # -- Output -------------------------------------------------------------------------------

    def _build_output_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self._live_label(page))
        self.output_editors = QWidget(page)
        editors_layout = QVBoxLayout(self.output_editors)
        editors_layout.setContentsMargins(0, 0, 0, 0)

        encoder = self._show.encoder
        group = QGroupBox(self.tr("Encoder"), self.output_editors)
        form = QFormLayout(group)
        encoder_names = {
            EncoderChoice.AUTO: self.tr("Automatic (a hardware encoder if one works, else x264)"),
            EncoderChoice.X264: self.tr("x264 (software, uses the CPU)"),
            EncoderChoice.NVENC: self.tr("NVIDIA NVENC"),
            EncoderChoice.QSV: self.tr("Intel Quick Sync"),
            EncoderChoice.VIDEOTOOLBOX: self.tr("Apple VideoToolbox"),
        }
        self.encoder_combo = QComboBox(group)
        for choice in EncoderChoice:
            self.encoder_combo.addItem(encoder_names.get(choice, choice.value), choice.value)
        self.encoder_combo.setCurrentIndex(max(0, self.encoder_combo.findData(encoder.encoder.value)))
        form.addRow(self.tr("Encoder:"), self.encoder_combo)
        self.encoder_preset_combo = QComboBox(group)
        for preset in ENCODER_PRESETS:
            self.encoder_preset_combo.addItem(preset, preset)
        self.encoder_preset_combo.setCurrentIndex(max(0, self.encoder_preset_combo.findData(encoder.preset)))
        self.encoder_preset_combo.setToolTip(
            self.tr("x264 speed: faster presets use less CPU for a little less quality at the same bitrate")
        )
        form.addRow(self.tr("Preset:"), self.encoder_preset_combo)
        self.bitrate_spin = self._spin(group, 200, 100_000, encoder.bitrate_kbps, " kbps", 500)
        form.addRow(self.tr("Video bitrate:"), self.bitrate_spin)
        self.keyframe_spin = self._spin(group, 250, 10_000, encoder.keyframe_interval_ms, " ms", 250)
        self.keyframe_spin.setToolTip(self.tr("Most platforms ask for a keyframe every 2 seconds (2000 ms)"))
        form.addRow(self.tr("Keyframe interval:"), self.keyframe_spin)
        self.audio_bitrate_spin = self._spin(group, 32, 512, encoder.audio_bitrate_kbps, " kbps", 32)
        form.addRow(self.tr("Audio bitrate:"), self.audio_bitrate_spin)
        editors_layout.addWidget(group)

        group = QGroupBox(self.tr("Recording"), self.output_editors)
        form = QFormLayout(group)
        folder_row = QHBoxLayout()
        self.recording_folder_edit = QLineEdit(self._preferences.recording_folder, group)
        self.browse_button = QPushButton(self.tr("Browse…"), group)
        self.browse_button.clicked.connect(self._browse_recording_folder)
        folder_row.addWidget(self.recording_folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        form.addRow(self.tr("Folder:"), folder_row)
        self.remux_check = QCheckBox(self.tr("Also write an MP4 copy when a recording stops"), group)
        self.remux_check.setChecked(self._show.recording.remux_to_mp4)
        form.addRow("", self.remux_check)
        editors_layout.addWidget(group)

        layout.addWidget(self.output_editors)
        layout.addStretch(1)
        self.output_editors.setEnabled(not self._live)
        return page

    @staticmethod
    def _spin(parent: QWidget, low: int, high: int, value: int, suffix: str, step: int) -> QSpinBox:
        spin = QSpinBox(parent)
        spin.setRange(low, high)
        spin.setSingleStep(step)
        spin.setSuffix(suffix)
        spin.setValue(value)
        spin.setMinimumWidth(140)
        spin.setMaximumWidth(240)
        return spin

    def _browse_recording_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Recording folder"), self.recording_folder_edit.text())
        if folder:
            self.recording_folder_edit.setText(folder)

    # -- Destinations --------------------------------------------------------------------------

    def _build_destinations_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            _note(
                self.tr(
                    "Where the show goes live. For Douyin, TikTok, Taobao, Kuaishou and most other "
                    "platforms choose Custom and paste the server URL and stream key they give you."
                ),
                page,
            )
        )
        row = QHBoxLayout()
        left = QVBoxLayout()
        self.destination_list = QListWidget(page)
        self.destination_list.setMinimumWidth(200)
        self.destination_list.setMaximumWidth(280)
        left.addWidget(self.destination_list, 1)
        buttons = QHBoxLayout()
        self.add_destination_button = QPushButton(self.tr("Add"), page)
        self.remove_destination_button = QPushButton(self.tr("Remove"), page)
        buttons.addWidget(self.add_destination_button)
        buttons.addWidget(self.remove_destination_button)
        left.addLayout(buttons)
        row.addLayout(left)

        self.destination_editors = QGroupBox(self.tr("Destination"), page)
        form = QFormLayout(self.destination_editors)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.destination_name_edit = QLineEdit(self.destination_editors)
        form.addRow(self.tr("Name:"), self.destination_name_edit)
        self.destination_preset_combo = QComboBox(self.destination_editors)
        preset_names = {
            "custom": self.tr("Custom (server URL and key)"),
            "youtube": self.tr("YouTube (RTMP)"),
            "youtube_rtmps": self.tr("YouTube (RTMPS)"),
            "twitch": self.tr("Twitch"),
        }
        for preset in DESTINATION_PRESET_IDS:
            self.destination_preset_combo.addItem(preset_names[preset], preset)
        form.addRow(self.tr("Platform:"), self.destination_preset_combo)
        self.destination_url_edit = QLineEdit(self.destination_editors)
        self.destination_url_edit.setPlaceholderText(
            self.tr("rtmp://host/app, srt://host:port or a WHIP endpoint's https:// URL")
        )
        form.addRow(self.tr("Server URL:"), self.destination_url_edit)
        key_row = QHBoxLayout()
        self.stream_key_edit = QLineEdit(self.destination_editors)
        self.stream_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.stream_key_edit.setPlaceholderText(self.tr("Paste the stream key"))
        self.show_key_button = QPushButton(self.tr("Show"), self.destination_editors)
        self.show_key_button.setCheckable(True)
        self.show_key_button.toggled.connect(self._show_key_toggled)
        key_row.addWidget(self.stream_key_edit, 1)
        key_row.addWidget(self.show_key_button)
        self.stream_key_label = QLabel(self.destination_editors)
        form.addRow(self.stream_key_label, key_row)
        self.destination_canvas_combo = QComboBox(self.destination_editors)
        self.destination_canvas_combo.setToolTip(
            self.tr(
                "The picture this destination receives: the main canvas, or another canvas of this show "
                "(e.g. vertical for phones)"
            )
        )
        form.addRow(self.tr("Canvas:"), self.destination_canvas_combo)
        self._destination_form = form
        self.destination_enabled_check = QCheckBox(self.tr("Go live to this destination"), self.destination_editors)
        form.addRow("", self.destination_enabled_check)
        self.srt_group = SrtSettingsGroup(self.destination_editors)
        form.addRow(self.srt_group)
        form.addRow(
            _note(
                self.tr("Keys, tokens and passphrases are saved in the show file and never shown anywhere else."),
                self.destination_editors,
            )
        )
        row.addWidget(self.destination_editors, 1)
        layout.addLayout(row, 1)
        self.no_destinations_label = _note(
            self.tr("No destinations yet: add one for each platform to go live to."), page
        )
        layout.addWidget(self.no_destinations_label)

        self._destinations: list[dict[str, Any]] = [
            {
                "id": spec.id,
                "name": spec.name,
                "preset": spec.preset,
                "url": spec.url,
                "key": spec.stream_key.get_secret_value(),
                "enabled": spec.enabled,
                "srt": srt_entry(spec.srt),
                "canvas": spec.canvas,
            }
            for spec in self._show.destinations
        ]
        for entry in self._destinations:
            self.destination_list.addItem(self._destination_title(entry))
        self.destination_list.currentRowChanged.connect(self._load_destination)
        self.add_destination_button.clicked.connect(self.add_destination)
        self.remove_destination_button.clicked.connect(self.remove_destination)
        self.destination_name_edit.textChanged.connect(self._destination_edited)
        self.destination_preset_combo.currentIndexChanged.connect(self._destination_preset_changed)
        self.destination_url_edit.textChanged.connect(self._destination_edited)
        self.stream_key_edit.textChanged.connect(self._destination_edited)
        self.destination_enabled_check.toggled.connect(self._destination_edited)
        self.destination_canvas_combo.currentIndexChanged.connect(self._destination_edited)
        self.srt_group.changed.connect(self._destination_edited)
        # The main canvas's size shown in the picker follows the Video tab.
        self.width_spin.valueChanged.connect(self._show_main_canvas_size)
        self.height_spin.valueChanged.connect(self._show_main_canvas_size)
        self.destination_list.setCurrentRow(0 if self._destinations else -1)
        self._load_destination(self.destination_list.currentRow())
        return page

    def _destination_title(self, entry: dict[str, Any]) -> str:
        name = entry["name"] or self.tr("(no name)")
        return name if entry["enabled"] else self.tr("{name} (off)").format(name=name)

    def _current_destination(self) -> dict[str, Any] | None:
        row = self.destination_list.currentRow()
        return self._destinations[row] if 0 <= row < len(self._destinations) else None

    def _load_destination(self, row: int) -> None:
        entry = self._destinations[row] if 0 <= row < len(self._destinations) else None
        self._loading = True
        try:
            # A key is masked again whenever another destination is shown.
            self.show_key_button.setChecked(False)
            self.destination_editors.setEnabled(entry is not None)
            self.remove_destination_button.setEnabled(entry is not None)
            self.no_destinations_label.setVisible(not self._destinations)
            if entry is None:
                self.destination_name_edit.clear()
                self.destination_url_edit.clear()
                self.stream_key_edit.clear()
                self.destination_enabled_check.setChecked(False)
                self._show_destination_canvas(MAIN_CANVAS)
                self._show_destination_kind()
                return
            self.destination_name_edit.setText(entry["name"])
            self.destination_preset_combo.setCurrentIndex(max(0, self.destination_preset_combo.findData(entry["preset"])))
            self._show_destination_url(entry)
            self.stream_key_edit.setText(entry["key"])
            self.destination_enabled_check.setChecked(entry["enabled"])
            self._show_destination_canvas(entry["canvas"])
            self.srt_group.set_values(entry["srt"])
        finally:
            self._loading = False

    def _canvas_choice_text(self, name: str) -> str:
        if name == MAIN_CANVAS:
            width, height = self.width_spin.value() & ~1, self.height_spin.value() & ~1
        elif name in self._show.canvases:
            width, height = self._show.canvases[name].width, self._show.canvases[name].height
        else:
            return self.tr("{canvas} (unknown canvas)").format(canvas=name)
        return f"{name} ({width}x{height})"

    def _show_destination_canvas(self, current: str) -> None:
        """The canvas picker: main and each of the show's other canvases, with their sizes. A
        canvas the show no longer has is offered as unknown (and kept until another is chosen:
        OK names it). Shown only when there is a choice to make."""
        combo = self.destination_canvas_combo
        names = [MAIN_CANVAS, *self._show.canvases]
        if current not in names:
            names.append(current)
        combo.clear()
        for name in names:
            combo.addItem(self._canvas_choice_text(name), name)
        combo.setCurrentIndex(names.index(current))
        self._destination_form.setRowVisible(combo, len(names) > 1)

    def _show_main_canvas_size(self, *_args: object) -> None:
        index = self.destination_canvas_combo.findData(MAIN_CANVAS)
        if index >= 0:
            self.destination_canvas_combo.setItemText(index, self._canvas_choice_text(MAIN_CANVAS))

    def _destination_kind(self) -> StreamKind:
        return StreamTarget("", self.destination_url_edit.text().strip()).kind

    def _show_destination_kind(self) -> None:
        """The key's label and hint, and the SRT group, follow the URL being typed."""
        kind = self._destination_kind()
        if kind is StreamKind.SRT:
            self.stream_key_label.setText(self.tr("Stream ID:"))
            self.stream_key_edit.setPlaceholderText(self.tr("Optional: the stream id the server expects"))
        elif kind is StreamKind.WHIP:
            self.stream_key_label.setText(self.tr("Bearer token:"))
            self.stream_key_edit.setPlaceholderText(self.tr("Paste the WHIP bearer token"))
        else:
            self.stream_key_label.setText(self.tr("Stream key:"))
            self.stream_key_edit.setPlaceholderText(self.tr("Paste the stream key"))
        self.srt_group.setVisible(kind is StreamKind.SRT)

    def _show_destination_url(self, entry: dict[str, Any]) -> None:
        custom = entry["preset"] == "custom"
        self.destination_url_edit.setEnabled(custom)
        self.destination_url_edit.setText(entry["url"] if custom else DESTINATION_PRESETS[entry["preset"]])
        self._show_destination_kind()

    def _destination_preset_changed(self, _index: int) -> None:
        entry = self._current_destination()
        if self._loading or entry is None:
            return
        entry["preset"] = self.destination_preset_combo.currentData()
        self._loading = True
        try:
            self._show_destination_url(entry)
        finally:
            self._loading = False

    def _destination_edited(self, *_args: object) -> None:
        self._show_destination_kind()
        entry = self._current_destination()
        if self._loading or entry is None:
            return
        entry["name"] = self.destination_name_edit.text()
        if entry["preset"] == "custom":
            entry["url"] = self.destination_url_edit.text().strip()
        entry["key"] = self.stream_key_edit.text().strip()
        entry["enabled"] = self.destination_enabled_check.isChecked()
        entry["canvas"] = self.destination_canvas_combo.currentData() or entry["canvas"]
        entry["srt"] = self.srt_group.values()
        item = self.destination_list.currentItem()
        if item is not None:
            item.setText(self._destination_title(entry))

    def _show_key_toggled(self, shown: bool) -> None:
        self.stream_key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_key_button.setText(self.tr("Hide") if shown else self.tr("Show"))

    def _new_destination_id(self) -> str:
        used = {entry["id"] for entry in self._destinations}
        number = len(self._destinations) + 1
        while f"dest-{number}" in used:
            number += 1
        return f"dest-{number}"

    def add_destination(self) -> None:
        destination_id = self._new_destination_id()
        number = destination_id.removeprefix("dest-")
        entry = {
            "id": destination_id,
            "name": self.tr("Destination {number}").format(number=number),
            "preset": "custom",
            "url": "",
            "key": "",
            "enabled": True,
            "srt": srt_entry(SrtSettings()),
            "canvas": MAIN_CANVAS,
        }
        self._destinations.append(entry)
        self.destination_list.addItem(self._destination_title(entry))
        self.destination_list.setCurrentRow(len(self._destinations) - 1)
        self.destination_name_edit.setFocus()
        self.destination_name_edit.selectAll()

    def remove_destination(self) -> None:
        row = self.destination_list.currentRow()
        if not 0 <= row < len(self._destinations):
            return
        del self._destinations[row]
        self._loading = True
        try:
            self.destination_list.takeItem(row)
        finally:
            self._loading = False
        self.destination_list.setCurrentRow(min(row, len(self._destinations) - 1))
        self._load_destination(self.destination_list.currentRow())

    # -- Cameras (every video source) ----------------------------------------------------------

    def _build_sources_tab(self) -> QWidget:
        from studio.engine.sources.registry import default_registry

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self._live_label(page))
        self.source_editors = QWidget(page)
        editors_layout = QVBoxLayout(self.source_editors)
        editors_layout.setContentsMargins(0, 0, 0, 0)
        self.source_forms: dict[str, SchemaForm] = {}
        self.source_groups: dict[str, QGroupBox] = {}
        self.mode_combos: dict[str, QComboBox] = {}
        self.camera_notes: dict[str, QLabel] = {}
        registry = default_registry()
        self._device_choices_by_kind: dict[str, list[DeviceChoice]] = {}
        has_camera = any(spec.kind == "camera" for spec in self._show.sources)
        self._cameras: list[CameraInfo] = []
        if has_camera:
            try:
                self._cameras = list_cameras()
            except Exception:  # a broken device tree must not keep the settings from opening
                self._cameras = []
        if not self._show.sources:
            editors_layout.addWidget(_note(self.tr("This show has no video sources."), self.source_editors))
        else:
            editors_layout.addWidget(
                _note(self.tr("The settings of each camera and other video source of this show."), self.source_editors)
            )
        # Cameras first: they are what this tab is for.
        ordered = sorted(self._show.sources, key=lambda spec: spec.kind != "camera")
        for spec in ordered:
            group = QGroupBox(f"{spec.name} — {self._kind_label(spec.kind)}", self.source_editors)
            group_layout = QVBoxLayout(group)
            self.source_groups[spec.id] = group
            try:
                plugin = registry.plugin(spec.kind)
            except InputError as error:
                group_layout.addWidget(_note(error.detail, group))
                editors_layout.addWidget(group)
                continue
            form = SchemaForm(
                plugin.settings_model, spec.settings, group, device_choices=self._device_choices, hidden=hidden_settings(spec.kind)
            )
            self.source_forms[spec.id] = form
            if spec.kind == "camera":
                self._add_camera_mode_row(spec, form, group, group_layout)
            group_layout.addWidget(form)
            editors_layout.addWidget(group)
        layout.addWidget(self.source_editors)
        layout.addStretch(1)
        self.source_editors.setEnabled(not self._live)
        return page

    def _kind_label(self, kind: str) -> str:
        names = {
            "camera": self.tr("camera"),
            "test_pattern": self.tr("test pattern"),
            "colour": self.tr("colour"),
            "image": self.tr("image"),
            "file": self.tr("media file"),
            "network": self.tr("network feed"),
            "screen": self.tr("screen capture"),
            "guest": self.tr("guest"),
        }
        return names.get(kind, kind)

    def _device_choices(self, kind: str) -> list[DeviceChoice]:
        """The forms' device pickers: cameras from the list this dialog made already (v4l2-ctl
        runs once per camera, not once per form), other kinds asked once per dialog."""
        if kind == "camera":
            return camera_choices(self._cameras)
        if kind not in self._device_choices_by_kind:
            self._device_choices_by_kind[kind] = device_choices(kind)
        return self._device_choices_by_kind[kind]

    def _add_camera_mode_row(self, spec: SourceSpec, form: SchemaForm, group: QGroupBox, layout: QVBoxLayout) -> None:
        # The device field itself lists the connected cameras (a device picker); this row offers
        # the chosen camera's modes, which set width, height, fps and pixel format together.
        row = QFormLayout()
        modes = QComboBox(group)
        modes.activated.connect(lambda index, m=modes, f=form: self._apply_camera_mode(m, f, index))
        row.addRow(self.tr("Mode:"), modes)
        note = _note("", group)
        row.addRow(note)
        layout.addLayout(row)
        self.mode_combos[spec.id] = modes
        self.camera_notes[spec.id] = note
        device_editor = form.editor("device")
        device_editor.textChanged.connect(lambda _text, s=spec.id: self._refresh_camera_modes(s))  # type: ignore[attr-defined]
        self._refresh_camera_modes(spec.id)

    def _refresh_camera_modes(self, source_id: str) -> None:
        form, combo, note = self.source_forms[source_id], self.mode_combos[source_id], self.camera_notes[source_id]
        device = form.value("device")
        camera = find_camera(self._cameras, device if isinstance(device, str) else "")
        combo.clear()
        fourccs = list(dict.fromkeys(mode.fourcc for mode in camera.modes)) if camera else []
        form.set_choices("pixel_format", [(fourcc, fourcc) for fourcc in fourccs or DEFAULT_PIXEL_FORMATS])
        if camera is None:
            combo.setEnabled(False)
            combo.addItem(self.tr("(no modes)"), None)
            note.setText(self.tr("Camera not connected; modes can be typed in."))
            return
        if not camera.modes:
            combo.setEnabled(False)
            combo.addItem(self.tr("(no modes)"), None)
            note.setText(
                self.tr("{name}: modes unknown ({why}); modes can be typed in").format(
                    name=camera.name, why=camera.modes_note or self.tr("not reported")
                )
            )
            return
        combo.setEnabled(True)
        combo.addItem(self.tr("Choose a mode the camera offers…"), None)
        for mode in camera.modes:
            combo.addItem(
                f"{mode.fourcc} {mode.width}x{mode.height} @ {mode.fps:g} fps",
                (mode.fourcc, mode.width, mode.height, mode.fps),
            )
        note.setText(self.tr("{name}: connected").format(name=camera.name))

    @staticmethod
    def _apply_camera_mode(combo: QComboBox, form: SchemaForm, index: int) -> None:
        mode = combo.itemData(index)
        if not mode:
            return
        fourcc, width, height, fps = mode
        form.set_value("pixel_format", fourcc)
        form.set_value("width", width)
        form.set_value("height", height)
        form.set_value("fps", max(1, round(fps)))

    # -- Audio ----------------------------------------------------------------------------------

    def _build_audio_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        inputs, outputs, problem = audio_device_names()
        # Sound devices are opened when the engine is built: like the canvas, not while on air.
        layout.addWidget(self._live_label(page))
        self.audio_editors = QWidget(page)
        editors_layout = QVBoxLayout(self.audio_editors)
        editors_layout.setContentsMargins(0, 0, 0, 0)
        if problem:
            self.audio_devices_note: QLabel | None = _note(
                self.tr(
                    "Sound devices cannot be listed here ({problem}). Type a device name or number, "
                    "or leave the field empty."
                ).format(problem=problem),
                self.audio_editors,
            )
            editors_layout.addWidget(self.audio_devices_note)
        else:
            self.audio_devices_note = None

        group = QGroupBox(self.tr("Microphones"), self.audio_editors)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.microphone_fields: dict[str, DeviceField] = {}
        for audio in self._show.audio_inputs:
            if audio.kind is not AudioInputKind.MICROPHONE:
                continue
            field = DeviceField(inputs, self.tr("Default"), audio.device, group)
            self.microphone_fields[audio.id] = field
            form.addRow(f"{audio.name}:", field)
        if not self.microphone_fields:
            form.addRow(_note(self.tr("This show has no microphone inputs."), group))
        elif inputs == []:
            form.addRow(_note(self.tr("No microphones found on this computer."), group))
        editors_layout.addWidget(group)

        group = QGroupBox(self.tr("Monitoring"), self.audio_editors)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.monitor_device_field = DeviceField(outputs, self.tr("None"), self._show.audio.monitor_device, group)
        self.monitor_device_field.setToolTip(self.tr("Headphones for the seller: the program sound"))
        form.addRow(self.tr("Monitor (headphones):"), self.monitor_device_field)
        self.mix_minus_device_field = DeviceField(outputs, self.tr("None"), self._show.audio.mix_minus_device, group)
        self.mix_minus_device_field.setToolTip(
            self.tr("The output that feeds a remote guest: the program sound without their own voice")
        )
        form.addRow(self.tr("Mix-minus (to the guest):"), self.mix_minus_device_field)
        editors_layout.addWidget(group)
        layout.addWidget(self.audio_editors)
        layout.addStretch(1)
        self.audio_editors.setEnabled(not self._live)
        return page

    # -- General -------------------------------------------------------------------------------

    def _build_general_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        group = QGroupBox(self.tr("App"), page)
        form = QFormLayout(group)
        self.language_combo = QComboBox(group)
        for code, text in zip(LANGUAGE_CODES, (self.tr("Follow the system"), "English", "简体中文")):
            self.language_combo.addItem(text, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(self._preferences.language)))
        form.addRow(self.tr("Language:"), self.language_combo)
        layout.addWidget(group)

        remote = QGroupBox(self.tr("Remote control (obs-websocket 5: Stream Deck, Companion, Touch Portal)"), page)
        remote_form = QFormLayout(remote)
        self.remote_enabled_check = QCheckBox(self.tr("Enabled"), remote)
        self.remote_enabled_check.setChecked(self._preferences.remote_enabled)
        self.remote_port_spin = QSpinBox(remote)
        self.remote_port_spin.setRange(1024, 65535)
        self.remote_port_spin.setValue(self._preferences.remote_port)
        self.remote_lan_check = QCheckBox(self.tr("Allow other devices on the network (phones, tablets)"), remote)
        self.remote_lan_check.setChecked(self._preferences.remote_lan)
        self.remote_password_edit = QLineEdit(self._preferences.remote_password, remote)
        self.remote_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_remote_password_button = QPushButton(self.tr("Show"), remote)
        self.show_remote_password_button.setCheckable(True)
        self.show_remote_password_button.toggled.connect(
            lambda shown: self.remote_password_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        )
        password_row = QHBoxLayout()
        password_row.addWidget(self.remote_password_edit, 1)
        password_row.addWidget(self.show_remote_password_button)
        remote_form.addRow(self.remote_enabled_check)
        remote_form.addRow(self.tr("Port:"), self.remote_port_spin)
        remote_form.addRow(self.remote_lan_check)
        remote_form.addRow(self.tr("Password:"), password_row)
        remote_form.addRow(_note(self.tr("Changes apply the next time the studio starts."), remote))
        layout.addWidget(remote)
        layout.addStretch(1)
        return page

    # -- OK ------------------------------------------------------------------------------------

    def _refuse(self, message: str, tab: QWidget | None = None, focus: QWidget | None = None) -> bool:
        self.error_label.setText(message)
        self.error_label.show()
        if tab is not None:
            self.tabs.setCurrentWidget(tab)
        if focus is not None:
            if isinstance(tab, QScrollArea):
                tab.ensureWidgetVisible(focus)
            focus.setFocus()
        return False

    def _destination_specs(self) -> list[DestinationSpec] | None:
        specs = []
        for row, entry in enumerate(self._destinations):
            name = entry["name"].strip()
            shown_name = name or self.tr("number {n}").format(n=row + 1)
            server = entry["url"] if entry["preset"] == "custom" else DESTINATION_PRESETS[entry["preset"]]
            srt = StreamTarget(name, server).kind is StreamKind.SRT
            try:
                self._show.canvas_named(entry["canvas"])
            except InputError as error:
                self.destination_list.setCurrentRow(row)
                self._refuse(
                    self.tr("Destination “{name}”: {problem}").format(name=shown_name, problem=error.detail),
                    self.destinations_tab,
                    self.destination_canvas_combo,
                )
                return None
            srt_problem = self.srt_group.problem(entry["srt"]) if srt else None
            if srt_problem is not None:
                message, editor = srt_problem
                self.destination_list.setCurrentRow(row)
                self._refuse(
                    self.tr("Destination “{name}”: {problem}").format(name=shown_name, problem=message),
                    self.destinations_tab,
                    editor,
                )
                return None
            try:
                spec = DestinationSpec(
                    id=entry["id"],
                    name=name,
                    preset=entry["preset"],
                    url=entry["url"],
                    stream_key=entry["key"],
                    enabled=entry["enabled"],
                    canvas=entry["canvas"],
                    # Another kind keeps no SRT settings (nor a passphrase) in the show file.
                    srt=SrtSettings(**entry["srt"]) if srt else SrtSettings(),
                )
            except ValidationError as error:
                detail = input_error_from_validation(error)  # masks anything that may be a key
                self.destination_list.setCurrentRow(row)
                self._refuse(
                    self.tr("Destination “{name}”: {problem}").format(name=shown_name, problem=str(detail)),
                    self.destinations_tab,
                )
                return None
            problem = check_destination_url(spec.full_url())
            if problem:
                self.destination_list.setCurrentRow(row)
                self._refuse(
                    self.tr("Destination “{name}”: {problem}").format(name=shown_name, problem=problem),
                    self.destinations_tab,
                    self.destination_url_edit if spec.preset == "custom" else None,
                )
                return None
            specs.append(spec)
        return specs

    def try_accept(self) -> bool:
        """Check everything; accept and keep the results if all is well, else say what is wrong
        under the tabs (and show where). Returns whether the dialog was accepted."""
        self.error_label.clear()
        self.error_label.hide()
        data = self._show.model_dump(mode="json")
        if not self._live:
            data["canvas"] = {
                "width": self.width_spin.value() & ~1,
                "height": self.height_spin.value() & ~1,
                "fps": self.fps_combo.currentData(),
            }
            data["encoder"].update(
                encoder=self.encoder_combo.currentData(),
                preset=self.encoder_preset_combo.currentData(),
                bitrate_kbps=self.bitrate_spin.value(),
                keyframe_interval_ms=self.keyframe_spin.value(),
                audio_bitrate_kbps=self.audio_bitrate_spin.value(),
            )
            data["recording"]["remux_to_mp4"] = self.remux_check.isChecked()
            for source in data["sources"]:
                form = self.source_forms.get(source["id"])
                if form is None:
                    continue
                problem = form.validate()
                if problem:
                    return self._refuse(
                        self.tr("Source “{name}”: {problem}").format(name=source["name"], problem=problem),
                        self.cameras_tab,
                        self.source_groups[source["id"]],
                    )
                source["settings"] = form.values()
            for audio in data["audio_inputs"]:
                if audio["id"] in self.microphone_fields:
                    audio["device"] = self.microphone_fields[audio["id"]].value()
            data["audio"]["monitor_device"] = self.monitor_device_field.value()
            data["audio"]["mix_minus_device"] = self.mix_minus_device_field.value()
        recording_folder = self.recording_folder_edit.text().strip()
        if not recording_folder:
            return self._refuse(self.tr("Choose a folder for recordings."), self.output_tab, self.recording_folder_edit)
        specs = self._destination_specs()
        if specs is None:
            return False
        data["destinations"] = [spec.model_dump(mode="json") for spec in specs]
        try:
            data["guests"] = self.guests_settings.settings().model_dump(mode="json")
        except InputError as error:
            return self._refuse(str(error), self.guests_tab, self.guests_settings.focus_for(error))
        try:
            show = parse_show(data, file="")
        except InputError as error:
            return self._refuse(self.tr("The show cannot be saved like this: {problem}").format(problem=str(error)))
        self._result_show = show
        self._result_preferences = dataclasses.replace(
            self._preferences,
            recent_shows=list(self._preferences.recent_shows),
            language=self.language_combo.currentData(),
            recording_folder=recording_folder,
            remote_enabled=self.remote_enabled_check.isChecked(),
            remote_port=self.remote_port_spin.value(),
            remote_lan=self.remote_lan_check.isChecked(),
            remote_password=self.remote_password_edit.text().strip() or self._preferences.remote_password,
        )
        super().accept()
        return True

    def accept(self) -> None:
        self.try_accept()

    # -- results ---------------------------------------------------------------------------------

    def result_show(self) -> Show:
        """The edited show, validated by parse_show. Only after the dialog was accepted."""
        if self._result_show is None:
            raise RuntimeError("the settings dialog was not accepted")
        return self._result_show

    def result_preferences(self) -> Preferences:
        """A copy of the preferences with the language and recording folder chosen here."""
        if self._result_preferences is None:
            raise RuntimeError("the settings dialog was not accepted")
        return self._result_preferences

    def needs_restart(self) -> bool:
        """Whether anything the engine is built from changed: canvas, encoder, recording,
        sources, audio devices. Destinations, guest settings (the guest service follows them by
        itself) and preferences apply without a rebuild."""
        if self._result_show is None:
            return False
        before = self._show.model_dump(mode="json")
        after = self._result_show.model_dump(mode="json")
        for field in ("destinations", "guests"):
            before.pop(field, None)
            after.pop(field, None)
        return before != after


__all__ = ["DeviceField", "SettingsDialog", "audio_device_names", "find_camera"]
