"""A form built from a pydantic settings model: one editor per field.

Used by the Settings dialog for source plugin settings, so a new plugin gets its editor for
free. int -> spin box (bounds from ge/gt/le/lt, step from multiple_of), float -> double spin
box, bool -> check box, str -> line edit (masked with a Show button when the field may hold a
secret: a URL, key, password..., or is a SecretStr), Enum/Literal -> combo box, an RGB triple ->
colour field.
Optional numbers get a "(none)" value below their minimum. Anything else is edited as JSON.

A str or int field whose Field() carries json_schema_extra={"device_picker": "camera"} (or
"screen", "microphone") gets an editable combo box of the devices found on this machine
(studio.engine.devices.device_choices), and {"choices": [...]} an editable combo box of those
values: a person picks one by its label or still types any value (a device not plugged in yet).

Fields named in `hidden` get no editor at all (a guest's token: the Guests dock makes and
revokes it, and it is never drawn); their values pass through values() untouched.

`values()` returns only what the show file needs: the fields it already had (unchanged ones
exactly as they were written, so opening and closing the dialog changes nothing) and fields
now different from their default.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import PydanticUndefined
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.engine.secrets import MASK, scrub_secrets

INT_MIN = -(2**31) + 1
INT_MAX = 2**31 - 1
FLOAT_LIMIT = 1e9
ERROR_STYLE = "color: #ff6b6b;"

# Field names that may hold a secret (a URL with a key in it, a passphrase): edited masked.
SECRET_FIELD_WORDS = ("url", "key", "password", "passphrase", "token", "secret")
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def humanize(name: str) -> str:
    """pixel_format -> "Pixel format"; fps -> "FPS"."""
    special = {"fps": "FPS", "url": "URL", "id": "ID"}
    words = [special.get(word, word) for word in name.split("_") if word]
    if not words:
        return name
    text = " ".join(words)
    return text[0].upper() + text[1:]


def is_secret_field(name: str) -> bool:
    return any(word in name.lower() for word in SECRET_FIELD_WORDS)


def _translate(text: str) -> str:
    return QCoreApplication.translate("SchemaForm", text)


def _strip_annotated(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    annotation = _strip_annotated(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        members = get_args(annotation)
        rest = [member for member in members if member is not type(None)]
        if len(rest) == 1 and len(members) == 2:
            return _strip_annotated(rest[0]), True
    return annotation, False


def _is_rgb(annotation: Any) -> bool:
    if get_origin(annotation) is not tuple:
        return False
    members = get_args(annotation)
    return len(members) == 3 and all(_strip_annotated(member) is int for member in members)


def _bounds(metadata: list[Any], *, integer: bool) -> tuple[float | None, float | None, float | None]:
    low = high = step = None
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low = item.gt + 1 if integer else item.gt
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high = item.lt - 1 if integer else item.lt
        elif isinstance(item, annotated_types.MultipleOf):
            step = item.multiple_of
    return low, high, step


def _parse_rgb(value: Any) -> tuple[int, int, int] | None:
    if isinstance(value, str):
        match = _HEX.match(value.strip())
        if not match:
            return None
        digits = match.group(1)
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
    if isinstance(value, (list, tuple)) and len(value) == 3 and all(isinstance(v, int) for v in value):
        return tuple(value)  # type: ignore[return-value]
    return None


def _rgb_hex(rgb: tuple[int, int, int]) -> str:
    red, green, blue = (max(0, min(255, int(c))) for c in rgb)
    return f"#{red:02x}{green:02x}{blue:02x}"


ChoiceList = Sequence[tuple[Any, str]]  # (value stored in the show file, label shown)
DeviceChoicesProvider = Callable[[str], ChoiceList]


def _schema_extra(info: Any) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


class _Field:
    """One field: its editor widget, how to read it and write it."""

    def __init__(self, form: SchemaForm, name: str, info: Any) -> None:
        self.name = name
        self.info = info
        self.label = humanize(name)
        annotation, self.optional = _unwrap_optional(info.annotation)
        self.annotation = annotation
        self.kind = self._kind(annotation)
        self.choices: list[Any] = []
        # kind "choice": an editable combo box offering values; `value_type` is what typing gives.
        self.choice_box: QComboBox | None = None
        self.value_type: type = str
        offered = self._offered_choices(form)
        if offered is not None and self.kind in ("int", "str"):
            self.value_type = int if self.kind == "int" else str
            self.kind = "choice"
        self.widget: QWidget
        self.editor: QWidget  # the widget that holds the value (tests and focus)
        self._build(form)
        if self.choice_box is not None:
            self.fill_choices(offered or [])

    def _offered_choices(self, form: SchemaForm) -> ChoiceList | None:
        extra = _schema_extra(self.info)
        if isinstance(extra.get("device_picker"), str):
            return form.device_choices(extra["device_picker"])
        if isinstance(extra.get("choices"), (list, tuple)):
            return [(value, str(value)) for value in extra["choices"]]
        return None

    @staticmethod
    def _kind(annotation: Any) -> str:
        if annotation is bool:
            return "bool"
        if annotation is int:
            return "int"
        if annotation is float:
            return "float"
        if annotation is str:
            return "str"
        if annotation is SecretStr:
            return "secret"
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            return "enum"
        if get_origin(annotation) is Literal:
            return "literal"
        if _is_rgb(annotation):
            return "rgb"
        return "json"

    # -- building --------------------------------------------------------------------------

    def _build(self, form: SchemaForm) -> None:
        kind = self.kind
        if kind == "choice":
            combo = QComboBox(form)
            combo.setEditable(True)
            # What a person types is a value, not a new entry for the list.
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.setMinimumContentsLength(24)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            if self.optional:
                combo.lineEdit().setPlaceholderText(_translate("(none)"))
            self.choice_box = combo
            # The line edit holds the value: text(), setText() and textChanged work as for a str field.
            self.widget, self.editor = combo, combo.lineEdit()
        elif kind == "bool":
            box = QCheckBox(form)
            self.widget = self.editor = box
        elif kind in ("int", "float"):
            integer = kind == "int"
            low, high, step = _bounds(self.info.metadata, integer=integer)
            spin: QSpinBox | QDoubleSpinBox = QSpinBox(form) if integer else QDoubleSpinBox(form)
            if integer:
                low = INT_MIN if low is None else int(low)
                high = INT_MAX if high is None else int(high)
            else:
                spin.setDecimals(2)  # type: ignore[union-attr]
                low = -FLOAT_LIMIT if low is None else float(low)
                high = FLOAT_LIMIT if high is None else float(high)
            if self.optional:
                # One step below the minimum means "not set".
                low = low - (1 if integer else 0.01)
                spin.setSpecialValueText(_translate("(none)"))
            spin.setRange(low, high)
            if step:
                spin.setSingleStep(step)
            spin.setAccelerated(True)
            spin.setMinimumWidth(120)
            self.widget = self.editor = spin
        elif kind in ("enum", "literal"):
            combo = QComboBox(form)
            if kind == "enum":
                self.choices = [member.value for member in self.annotation]
            else:
                self.choices = list(get_args(self.annotation))
            if self.optional:
                self.choices.insert(0, None)
            for choice in self.choices:
                combo.addItem(_translate("(none)") if choice is None else humanize(str(choice)) if isinstance(choice, str) else str(choice))
            self.widget = self.editor = combo
        elif kind == "rgb":
            holder = QWidget(form)
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            edit = QLineEdit(holder)
            edit.setPlaceholderText("#1e90ff")
            edit.setMaximumWidth(120)
            swatch = QToolButton(holder)
            swatch.setToolTip(_translate("Choose a colour"))
            swatch.setFixedSize(28, 22)
            swatch.clicked.connect(lambda: self._pick_colour(form))
            edit.textChanged.connect(lambda _text: self._paint_swatch())
            row.addWidget(edit)
            row.addWidget(swatch)
            row.addStretch(1)
            self._swatch = swatch
            self.widget, self.editor = holder, edit
        else:  # str and anything else (edited as JSON)
            edit = QLineEdit(form)
            holder = QWidget(form)
            row = QHBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(edit, 1)
            if kind == "secret" or (kind == "str" and is_secret_field(self.name)):
                edit.setEchoMode(QLineEdit.EchoMode.Password)
                show = QPushButton(_translate("Show"), holder)
                show.setCheckable(True)
                show.toggled.connect(
                    lambda on: (
                        edit.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password),
                        show.setText(_translate("Hide") if on else _translate("Show")),
                    )
                )
                row.addWidget(show)
                self.reveal_button = show
            elif kind == "str" and self.name == "path":
                browse = QPushButton(_translate("Browse…"), holder)
                browse.clicked.connect(lambda: self._browse(form, edit))
                row.addWidget(browse)
            if self.optional:
                edit.setPlaceholderText(_translate("(none)"))
            self.widget, self.editor = holder, edit
        description = self.info.description
        if description:
            self.widget.setToolTip(description)
            self.editor.setToolTip(description)

    def _pick_colour(self, form: SchemaForm) -> None:
        current = _parse_rgb(self.editor.text()) or (0, 0, 0)  # type: ignore[attr-defined]
        colour = QColorDialog.getColor(QColor(*current), form, _translate("Choose a colour"))
        if colour.isValid():
            self.editor.setText(_rgb_hex((colour.red(), colour.green(), colour.blue())))  # type: ignore[attr-defined]

    def _paint_swatch(self) -> None:
        rgb = _parse_rgb(self.editor.text())  # type: ignore[attr-defined]
        # The user's own colour, as a small sample: the one place a colour is drawn from data.
        self._swatch.setStyleSheet(
            f"QToolButton {{ background: {_rgb_hex(rgb)}; border: 1px solid palette(mid); border-radius: 3px; }}"
            if rgb
            else ""
        )

    @staticmethod
    def _browse(form: QWidget, edit: QLineEdit) -> None:
        path, _filter = QFileDialog.getOpenFileName(form, _translate("Choose a file"), edit.text())
        if path:
            edit.setText(path)

    def fill_choices(self, choices: ChoiceList) -> None:
        """Offer these (value, label) pairs, keeping the value the field holds now."""
        combo = self.choice_box
        assert combo is not None
        current = self.get()
        combo.clear()
        for value, label in choices:
            combo.addItem(label, value)
        self.set(current)

    # -- values ----------------------------------------------------------------------------

    def default(self) -> Any:
        if self.info.default is not PydanticUndefined:
            return self.info.default
        if self.info.default_factory is not None:
            return self.info.default_factory()
        return PydanticUndefined

    def canonical(self, value: Any) -> Any:
        """The value as this editor would give it back, to compare with what it gives."""
        if value is PydanticUndefined:
            return value
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if self.kind == "rgb":
            rgb = _parse_rgb(value)
            return rgb if rgb is not None else value
        if self.kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return round(float(value), 2)
        if self.kind == "str" and value is None and self.optional:
            return None
        return value

    def set(self, value: Any) -> None:
        kind, editor = self.kind, self.editor
        if value is PydanticUndefined:
            value = None
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if kind == "choice":
            combo = self.choice_box
            index = combo.findData(value) if value is not None else -1  # type: ignore[union-attr]
            if index >= 0:
                combo.setCurrentIndex(index)  # type: ignore[union-attr]
            else:
                combo.setCurrentIndex(-1)  # type: ignore[union-attr]
                editor.setText("" if value is None else str(value))  # type: ignore[attr-defined]
        elif kind == "bool":
            editor.setChecked(bool(value))  # type: ignore[attr-defined]
        elif kind in ("int", "float"):
            if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
                editor.setValue(editor.minimum())  # type: ignore[attr-defined]
            else:
                editor.setValue(int(value) if kind == "int" else float(value))  # type: ignore[attr-defined]
        elif kind in ("enum", "literal"):
            index = self.choices.index(value) if value in self.choices else 0
            editor.setCurrentIndex(index)  # type: ignore[attr-defined]
        elif kind == "rgb":
            rgb = _parse_rgb(value)
            editor.setText(_rgb_hex(rgb) if rgb else ("" if value is None else str(value)))  # type: ignore[attr-defined]
        elif kind in ("str", "secret"):
            editor.setText("" if value is None else str(value))  # type: ignore[attr-defined]
        else:
            editor.setText("" if value is None else json.dumps(value))  # type: ignore[attr-defined]

    def get(self) -> Any:
        kind, editor = self.kind, self.editor
        if kind == "choice":
            text = editor.text().strip()  # type: ignore[attr-defined]
            index = self.choice_box.findText(text)  # type: ignore[union-attr]
            if index >= 0:  # a label picked from the list (or typed exactly): its value
                return self.choice_box.itemData(index)  # type: ignore[union-attr]
            if not text:
                return None if self.optional else ""
            if self.value_type is int:
                try:
                    return int(text)
                except ValueError:
                    return text  # validation names the field
            return text
        if kind == "bool":
            return editor.isChecked()  # type: ignore[attr-defined]
        if kind in ("int", "float"):
            value = editor.value()  # type: ignore[attr-defined]
            if self.optional and value == editor.minimum():  # type: ignore[attr-defined]
                return None
            return int(value) if kind == "int" else round(float(value), 2)
        if kind in ("enum", "literal"):
            index = editor.currentIndex()  # type: ignore[attr-defined]
            return self.choices[index] if 0 <= index < len(self.choices) else None
        text = editor.text()  # type: ignore[attr-defined]
        if kind == "rgb":
            rgb = _parse_rgb(text)
            return rgb if rgb is not None else text
        if kind in ("str", "secret"):
            return None if self.optional and not text.strip() else text
        if self.optional and not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text


class SchemaForm(QWidget):
    """Editors for the fields of `model_cls`, filled from `values` (a settings dict)."""

    def __init__(
        self,
        model_cls: type[BaseModel],
        values: dict[str, Any] | None = None,
        parent: QWidget | None = None,
        *,
        device_choices: DeviceChoicesProvider | None = None,
        hidden: tuple[str, ...] = (),
    ) -> None:
        """`device_choices(kind)` lists a device picker's (value, label) pairs; by default the
        devices found on this machine. A caller that has listed them already passes its own.
        `hidden`: fields edited elsewhere, given no editor (see the module docstring)."""
        super().__init__(parent)
        self.model_cls = model_cls
        self._device_choices_provider = device_choices
        self._device_choices_cache: dict[str, ChoiceList] = {}
        self._original = dict(values or {})
        self._fields: dict[str, _Field] = {}
        self._loaded: dict[str, Any] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.form_layout = QFormLayout()
        self.form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addLayout(self.form_layout)
        for name, info in model_cls.model_fields.items():
            if name in hidden:
                continue
            field = _Field(self, name, info)
            self._fields[name] = field
            label = QLabel(_translate(field.label) + ":", self)
            if info.description:
                label.setToolTip(info.description)
            label.setBuddy(field.editor)
            self.form_layout.addRow(label, field.widget)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        outer.addWidget(self.error_label)
        self.set_values(self._original)

    # -- access ------------------------------------------------------------------------------

    @property
    def field_names(self) -> list[str]:
        return list(self._fields)

    def editor(self, name: str) -> QWidget:
        """The widget holding the value of `name` (spin box, combo box, line edit, check box;
        for a picker, the line edit of its editable combo box)."""
        return self._fields[name].editor

    def choice_box(self, name: str) -> QComboBox | None:
        """The editable combo box of a picker field (device or offered values), else None."""
        return self._fields[name].choice_box

    def value(self, name: str) -> Any:
        """What the editor of `name` holds now, as values() would give it (a picker gives the
        chosen device's value, not its label)."""
        return self._fields[name].get()

    def set_choices(self, name: str, choices: ChoiceList) -> None:
        """Offer other (value, label) pairs in the picker of `name`; its value stays."""
        field = self._fields[name]
        if field.choice_box is None:
            raise ValueError(f"{name} is not a picker field")
        field.fill_choices(choices)

    def device_choices(self, kind: str) -> ChoiceList:
        """A device picker's choices, asked once per kind for this form."""
        if kind not in self._device_choices_cache:
            provider = self._device_choices_provider
            if provider is None:
                from studio.engine.devices import device_choices as provider
            self._device_choices_cache[kind] = list(provider(kind))
        return self._device_choices_cache[kind]

    def label_for(self, name: str) -> str:
        return self._fields[name].label

    def set_value(self, name: str, value: Any) -> None:
        self._fields[name].set(value)

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill every editor: from `values`, else the field's default."""
        self._loaded = {}
        for name, field in self._fields.items():
            value = values[name] if name in values else field.default()
            field.set(value)
            # What the editor shows for this value: "unchanged" means the editor still gives this.
            self._loaded[name] = field.get()

    def values(self) -> dict[str, Any]:
        """The settings dict for the show file (see the module docstring)."""
        result: dict[str, Any] = {}
        for name, field in self._fields.items():
            value = field.get()
            if name in self._original:
                unchanged = value == self._loaded.get(name)
                result[name] = self._original[name] if unchanged else self._output(field, value)
            elif value != field.canonical(field.default()):
                result[name] = self._output(field, value)
        # Hidden fields, and keys the model does not know (validation then names them), are kept.
        for name, value in self._original.items():
            if name not in self._fields:
                result[name] = value
        return result

    @staticmethod
    def _output(field: _Field, value: Any) -> Any:
        if field.kind == "rgb" and isinstance(value, tuple):
            return _rgb_hex(value)  # as a person writes it in a show file
        return value

    # -- validation ------------------------------------------------------------------------

    def validated(self) -> BaseModel:
        """The settings as the plugin will see them; raises pydantic's ValidationError."""
        return self.model_cls.model_validate(self.values())

    def validate(self) -> str | None:
        """None if the values are valid, else one line naming the field (also shown under the form)."""
        try:
            self.validated()
        except ValidationError as error:
            message = self.describe_error(error)
            self.error_label.setText(message)
            self.error_label.show()
            first = error.errors()[0]
            name = first["loc"][0] if first["loc"] else None
            if isinstance(name, str) and name in self._fields:
                self._fields[name].editor.setFocus()
            return message
        self.error_label.clear()
        self.error_label.hide()
        return None

    def describe_error(self, error: ValidationError) -> str:
        first = error.errors()[0]
        location = first["loc"]
        name = location[0] if location else ""
        label = self._fields[name].label if isinstance(name, str) and name in self._fields else str(name)
        message = first["msg"]
        value = first.get("input")
        secret = isinstance(name, str) and (is_secret_field(name) or (name in self._fields and self._fields[name].kind == "secret"))
        if secret and isinstance(value, str) and value:
            message = scrub_secrets(message, value).replace(value, MASK)
        if not label:
            return message
        return f"{_translate(label)}: {message}"


__all__ = ["SchemaForm", "humanize", "is_secret_field"]
