"""Adding a source and editing its properties: a name and the kind's settings form.

Video kinds come from the source registry (each plugin's settings_model is the form); audio
inputs (a microphone...) get a form of their kind's fields of AudioInputSpec. OK runs the edit
through the EditHistory (one undo step); a new video source also gets a layer on the scene being
edited, as OBS does, and a guest their voice as a mixer input. A refused edit (a name taken, a
file missing) keeps the dialog open with the message, which names the field, and the field
focused. A guest's token gets no editor (HIDDEN_SETTINGS): it is never drawn.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, create_model
from pydantic.fields import FieldInfo
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.engine.errors import InputError
from studio.engine.show import AudioInputKind, AudioInputSpec
from studio.engine.sources.guest import GUEST_KIND
from studio.engine.sources.registry import default_registry
from studio.gui.schema_form import ERROR_STYLE, SchemaForm
from studio.gui.undo import EditHistory

# The Add menu's order: what a seller adds most first.
VIDEO_KIND_ORDER = ("camera", "screen", "image", "file", "network", "guest", "colour", "test_pattern")
ADDABLE_AUDIO_KINDS = (AudioInputKind.MICROPHONE.value,)

# The fields of AudioInputSpec that say what an input of each kind is (the mixer's settings,
# gain, filters..., are edited in the Audio Mixer).
AUDIO_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    AudioInputKind.MICROPHONE.value: ("device",),
    AudioInputKind.TONE.value: ("frequency_hz", "level_dbfs"),
    AudioInputKind.BEEP.value: ("frequency_hz", "level_dbfs", "beep_duration_ms"),
    AudioInputKind.NETWORK.value: ("url",),
    AudioInputKind.SOURCE_AUDIO.value: ("source",),
}
DEVICE_PICKERS = {AudioInputKind.MICROPHONE.value: {"device": "microphone"}}
# Settings a kind's form never shows: a guest's token is their key to join, made by the studio
# when the guest is added and replaced with New link in the Guests dock; drawing it in a form
# would put it on a screen share.
HIDDEN_SETTINGS: dict[str, tuple[str, ...]] = {"guest": ("token",)}


def kind_label(kind: str) -> str:
    """The kind as a seller calls it ("Camera", "Media file"), translated."""
    labels = {
        "camera": QCoreApplication.translate("SourceKinds", "Camera"),
        "screen": QCoreApplication.translate("SourceKinds", "Screen capture"),
        "image": QCoreApplication.translate("SourceKinds", "Image"),
        "file": QCoreApplication.translate("SourceKinds", "Media file"),
        "network": QCoreApplication.translate("SourceKinds", "Network feed (SRT/RTMP)"),
        "guest": QCoreApplication.translate("SourceKinds", "Guest"),
        "colour": QCoreApplication.translate("SourceKinds", "Colour"),
        "test_pattern": QCoreApplication.translate("SourceKinds", "Test pattern"),
        "microphone": QCoreApplication.translate("SourceKinds", "Microphone"),
        "tone": QCoreApplication.translate("SourceKinds", "Tone"),
        "beep": QCoreApplication.translate("SourceKinds", "Beep"),
        "source_audio": QCoreApplication.translate("SourceKinds", "Video's sound"),
    }
    return labels.get(kind, kind.replace("_", " ").capitalize())


def video_kinds() -> list[str]:
    """Every kind the registry has, the familiar ones first."""
    kinds = default_registry().kinds
    return [kind for kind in VIDEO_KIND_ORDER if kind in kinds] + [kind for kind in kinds if kind not in VIDEO_KIND_ORDER]


def hidden_settings(kind: str) -> tuple[str, ...]:
    """The settings of `kind` that get no editor in its form (see HIDDEN_SETTINGS)."""
    return HIDDEN_SETTINGS.get(kind, ())


def add_guest_with_voice(session, name: str, settings: dict[str, Any] | None = None):
    """A guest source (its token made by the session) and their voice as a mixer input, which
    is what puts the guest in the mix and out of their own return; returns the source. Both
    ways of adding a guest (the Sources menu, the Guests dock) come here."""
    spec = session.add_source(GUEST_KIND, name, settings)
    voice = QCoreApplication.translate("AddSourceDialog", "{name} voice").format(name=spec.name)
    session.add_audio_input(AudioInputKind.SOURCE_AUDIO.value, voice, source=spec.id)
    return spec


def is_audio_kind(kind: str) -> bool:
    return kind in AUDIO_KIND_FIELDS


def audio_settings_model(kind: str) -> type[BaseModel]:
    """A settings model of the AudioInputSpec fields an input of `kind` has (for SchemaForm)."""
    fields: dict[str, Any] = {}
    for name in AUDIO_KIND_FIELDS.get(kind, ()):
        info = AudioInputSpec.model_fields[name]
        picker = DEVICE_PICKERS.get(kind, {}).get(name)
        if picker:
            info = FieldInfo.merge_field_infos(info, json_schema_extra={"device_picker": picker})
        fields[name] = (info.annotation, info)
    return create_model(f"{kind.capitalize()}InputSettings", **fields)


def settings_model(kind: str) -> type[BaseModel]:
    return audio_settings_model(kind) if is_audio_kind(kind) else default_registry().plugin(kind).settings_model


def default_name(kind: str, taken: list[str], count_of_kind: int) -> str:
    """"Camera 2" when the show has one camera already; the next free number."""
    label = kind_label(kind)
    number = count_of_kind + 1
    while f"{label} {number}" in taken:
        number += 1
    return f"{label} {number}"


class SourceDialog(QDialog):
    """A name and a settings form; `_edit()` is what OK runs (through the history)."""

    def __init__(self, history: EditHistory, kind: str, name: str, settings: dict[str, Any], title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.history = history
        self.session = history.session
        self.kind = kind
        self.audio = is_audio_kind(kind)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        top = QFormLayout()
        self.name_edit = QLineEdit(name, self)
        self.name_edit.selectAll()
        top.addRow(self.tr("Name:"), self.name_edit)
        top.addRow(self.tr("Kind:"), QLabel(kind_label(kind), self))
        layout.addLayout(top)
        self.form = SchemaForm(settings_model(kind), settings, self, hidden=hidden_settings(kind))
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.form)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Short forms stay short; a long one (a camera) scrolls inside a 768-line screen.
        scroll.setMinimumHeight(min(self.form.sizeHint().height() + 8, 420))
        layout.addWidget(scroll, 1)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.setFocus()

    def accept(self) -> None:
        if self.form.validate() is not None:  # shown under the form, naming the field
            self.error_label.hide()
            return
        if self.history.run(self.windowTitle(), self._edit, tell=self._refused):
            super().accept()

    def _edit(self) -> Any:
        raise NotImplementedError

    def _refused(self, _title: str, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        field = message.split(":", 1)[0].strip() if ":" in message else ""
        if field == "name":
            self.name_edit.setFocus()
            self.name_edit.selectAll()
        elif field.startswith("settings."):
            name = field.removeprefix("settings.").split(".")[0].split("[")[0]
            if name in self.form.field_names:
                self.form.editor(name).setFocus()


class AddSourceDialog(SourceDialog):
    """A new source of `kind`; a video source also gets a layer on `scene` (id or name)."""

    def __init__(self, history: EditHistory, kind: str, *, scene: str | None = None, parent: QWidget | None = None) -> None:
        show = history.session.show
        if is_audio_kind(kind):
            taken = [audio.name for audio in show.audio_inputs]
            count = sum(1 for audio in show.audio_inputs if audio.kind.value == kind)
        else:
            taken = [source.name for source in show.sources]
            count = sum(1 for source in show.sources if source.kind == kind)
        title = QCoreApplication.translate("AddSourceDialog", "Add {kind}").format(kind=kind_label(kind))
        super().__init__(history, kind, default_name(kind, taken, count), {}, title, parent)
        self.scene = scene
        self.added_id: str | None = None

    def _edit(self) -> Any:
        name, settings = self.name_edit.text(), self.form.values()
        if self.audio:
            spec = self.session.add_audio_input(self.kind, name, **settings)
        elif self.kind == GUEST_KIND:
            spec = add_guest_with_voice(self.session, name, settings)
            if self.scene:
                self.session.add_layer(self.scene, spec.id)
        else:
            spec = self.session.add_source(self.kind, name, settings)
            if self.scene:
                self.session.add_layer(self.scene, spec.id)
        self.added_id = spec.id
        return spec


class SourcePropertiesDialog(SourceDialog):
    """The name and settings of an existing source or audio input (`ref`: id or name)."""

    def __init__(self, history: EditHistory, ref: str, *, audio: bool = False, parent: QWidget | None = None) -> None:
        show = history.session.show
        if audio:
            spec = next((a for a in show.audio_inputs if ref in (a.id, a.name)), None)
            if spec is None:
                raise InputError(f"unknown audio input {ref!r}", field="input")
            kind = spec.kind.value
            settings = {name: getattr(spec, name) for name in AUDIO_KIND_FIELDS.get(kind, ())}
        else:
            spec = history.session.source(ref)
            kind, settings = spec.kind, dict(spec.settings)
        title = QCoreApplication.translate("AddSourceDialog", "Properties of \u201c{name}\u201d").format(name=spec.name)
        super().__init__(history, kind, spec.name, settings, title, parent)
        self.ref = spec.id

    def _edit(self) -> Any:
        name, settings = self.name_edit.text(), self.form.values()
        if self.audio:
            return self.session.update_audio_input(self.ref, name=name, **settings)
        return self.session.update_source(self.ref, name=name, settings=settings)
