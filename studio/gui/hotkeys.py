"""Bindable actions and their keys.

Every action the seller may want under a key is listed here with a default like a hardware
switcher: 1-9 put a scene on preview, Ctrl+1-9 cut it straight to program, Space cuts, Enter
runs the transition; F1-F12 pick a product, L runs its 3-2-1 link, Esc dismisses the card. The show stores only what the user changed (`Show.hotkeys`: action id ->
key, "" unbinds). Keys are Qt's portable key-sequence text ("Ctrl+R", "Space", "1").

Keys are dispatched by one application-wide event filter rather than QShortcuts: it sees a key
wherever focus is in the main window (a focused button must not swallow Space), leaves text
fields alone, and ignores auto-repeat so a held key does not cut ten times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from studio.engine.show import Show

SCENE_KEYS_LIMIT = 9
PRODUCT_KEYS_LIMIT = 12  # F1-F12


@dataclass(frozen=True)
class ActionSpec:
    id: str
    label: str  # English; shown translated
    default_key: str = ""


def action_catalogue(show: Show) -> list[ActionSpec]:
    """Every bindable action of this show, in the order the hotkey dialog lists them."""
    actions = [
        ActionSpec("cut", QCoreApplication.translate("actions", "Cut preview to program"), "Space"),
        ActionSpec("auto", QCoreApplication.translate("actions", "Auto transition"), "Return"),
    ]
    for number, scene in enumerate(show.scenes[:SCENE_KEYS_LIMIT], start=1):
        actions.append(ActionSpec(f"preview_scene.{number}", QCoreApplication.translate("actions", "Scene {n} to preview ({name})").format(n=number, name=scene.name), str(number)))
    for number, scene in enumerate(show.scenes[:SCENE_KEYS_LIMIT], start=1):
        actions.append(
            ActionSpec(f"program_scene.{number}", QCoreApplication.translate("actions", "Scene {n} to program ({name})").format(n=number, name=scene.name), f"Ctrl+{number}")
        )
    for number, product in enumerate(show.products[:PRODUCT_KEYS_LIMIT], start=1):
        actions.append(
            ActionSpec(f"product.{number}", QCoreApplication.translate("actions", "Product {n}: {title}").format(n=number, title=product.title), f"F{number}")
        )
    actions += [
        ActionSpec("product.next", QCoreApplication.translate("actions", "Next product"), "PgDown"),
        ActionSpec("product.previous", QCoreApplication.translate("actions", "Previous product"), "PgUp"),
        ActionSpec("link_321", QCoreApplication.translate("actions", "3-2-1 link run (current product)"), "L"),
        ActionSpec("dismiss_card", QCoreApplication.translate("actions", "Dismiss the product card"), "Esc"),
        ActionSpec("apply_preset", QCoreApplication.translate("actions", "Apply the current product's preset"), "P"),
        ActionSpec("sold_out", QCoreApplication.translate("actions", "Sold out on/off (current product)")),
    ]
    for audio in show.audio_inputs:
        actions.append(ActionSpec(f"mute_input.{audio.id}", QCoreApplication.translate("actions", "Mute/unmute {name}").format(name=audio.name)))
    actions += [
        ActionSpec("stream.toggle", QCoreApplication.translate("actions", "Start/stop streaming"), "Ctrl+Shift+L"),
        ActionSpec("record.toggle", QCoreApplication.translate("actions", "Start/stop recording"), "Ctrl+Shift+R"),
    ]
    return actions


def normalized_key(text: str) -> str:
    """Qt's own spelling of a key sequence ("ctrl+r" -> "Ctrl+R"); "" for none; raises ValueError
    for text Qt cannot read."""
    text = text.strip()
    if not text:
        return ""
    sequence = QKeySequence.fromString(text, QKeySequence.SequenceFormat.PortableText)
    if sequence.isEmpty() or sequence.count() != 1:
        raise ValueError(f"{text!r} is not one key (expected e.g. Space, F5, Ctrl+R, 1)")
    spelled = sequence.toString(QKeySequence.SequenceFormat.PortableText)
    if "\ufffd" in spelled or not spelled:
        raise ValueError(f"{text!r} is not a key Qt knows")
    return spelled


class HotkeyConflict(ValueError):
    pass


def effective_bindings(show: Show, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """action id -> key for every action of the show: defaults, then the show's changes, then
    `overrides`. Raises HotkeyConflict naming both actions when two share a key, and ValueError
    naming the action when a key is unreadable."""
    catalogue = action_catalogue(show)
    known = {action.id for action in catalogue}
    bindings = {action.id: action.default_key for action in catalogue}
    for source in (show.hotkeys, overrides or {}):
        for action_id, key in source.items():
            if action_id not in known:
                raise ValueError(f"hotkeys.{action_id}: unknown action; expected one of {', '.join(sorted(known))}")
            try:
                bindings[action_id] = normalized_key(key)
            except ValueError as error:
                raise ValueError(f"hotkeys.{action_id}: {error}") from None
    owner: dict[str, str] = {}
    labels = {action.id: action.label for action in catalogue}
    for action_id, key in bindings.items():
        if not key:
            continue
        if key in owner:
            raise HotkeyConflict(
                QCoreApplication.translate("actions", "{key} is already bound to \u201c{other}\u201d; it cannot also do \u201c{this}\u201d").format(
                    key=key, other=labels[owner[key]], this=labels[action_id]
                )
            )
        owner[key] = action_id
    return bindings


def changed_bindings(show: Show, bindings: dict[str, str]) -> dict[str, str]:
    """What to store in Show.hotkeys: only the keys that differ from the defaults."""
    defaults = {action.id: action.default_key for action in action_catalogue(show)}
    return {action_id: key for action_id, key in bindings.items() if defaults.get(action_id) != key}


def key_text(event: QKeyEvent) -> str:
    """The portable text of a key press, with the number pad folded into the main keys: a
    switcher operator hits 1-9 and Enter on whichever block is under their hand."""
    combination = event.keyCombination()
    modifiers = combination.keyboardModifiers() & ~Qt.KeyboardModifier.KeypadModifier
    key = Qt.Key.Key_Return if combination.key() == Qt.Key.Key_Enter else combination.key()
    return QKeySequence(QKeyCombination(modifiers, key)).toString(QKeySequence.SequenceFormat.PortableText)


class HotkeyDispatcher(QObject):
    """Turns key presses inside `window` into action calls."""

    TEXT_INPUTS = (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QComboBox)

    def __init__(self, window: QWidget, run_action: Callable[[str], None]) -> None:
        super().__init__(window)
        self._window = window
        self._run_action = run_action
        self._action_by_key: dict[str, str] = {}
        QApplication.instance().installEventFilter(self)

    def set_bindings(self, bindings: dict[str, str]) -> None:
        self._action_by_key = {key: action_id for action_id, key in bindings.items() if key}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return False
        if watched.window() is not self._window or isinstance(watched, self.TEXT_INPUTS):
            return False
        assert isinstance(event, QKeyEvent)
        key = key_text(event)
        action_id = self._action_by_key.get(key)
        if action_id is None:
            return False
        if not event.isAutoRepeat():
            self._run_action(action_id)
        return True
