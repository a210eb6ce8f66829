"""Bindable actions and their keys in the desktop app.

The actions, their ids and default keys are the one catalogue the remote control lists too
(studio/control/hotkey_catalogue.py: 1-9 put a scene on preview, Ctrl+1-9 cut it straight to
program, Space cuts, Enter runs the transition; F1-F12 pick a product, L runs its 3-2-1 link,
Esc dismisses the card). This module words and translates their labels, reads keys and checks
bindings. The show stores only what the user changed (`Show.hotkeys`: action id -> key, ""
unbinds). Keys are Qt's portable key-sequence text ("Ctrl+R", "Space", "1").

Keys are dispatched by one application-wide event filter rather than QShortcuts: it sees a key
wherever focus is in the main window (a focused button must not swallow Space), leaves text
fields alone, and ignores auto-repeat so a held key does not cut ten times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

from studio.control.hotkey_catalogue import HotkeyAction, hotkey_actions
from studio.engine.show import Show

# Each action family's label (English, translated in the "actions" context): {n} is the scene's
# or product's number, {name} the scene's or audio input's name, {title} the product's title.
ACTION_LABELS = {
    "cut": QT_TRANSLATE_NOOP("actions", "Cut preview to program"),
    "auto": QT_TRANSLATE_NOOP("actions", "Auto transition"),
    "preview_scene": QT_TRANSLATE_NOOP("actions", "Scene {n} to preview ({name})"),
    "program_scene": QT_TRANSLATE_NOOP("actions", "Scene {n} to program ({name})"),
    "product": QT_TRANSLATE_NOOP("actions", "Product {n}: {title}"),
    "product.next": QT_TRANSLATE_NOOP("actions", "Next product"),
    "product.previous": QT_TRANSLATE_NOOP("actions", "Previous product"),
    "link_321": QT_TRANSLATE_NOOP("actions", "3-2-1 link run (current product)"),
    "dismiss_card": QT_TRANSLATE_NOOP("actions", "Dismiss the product card"),
    "apply_preset": QT_TRANSLATE_NOOP("actions", "Apply the current product's preset"),
    "sold_out": QT_TRANSLATE_NOOP("actions", "Sold out on/off (current product)"),
    "mute_input": QT_TRANSLATE_NOOP("actions", "Mute/unmute {name}"),
    "stream.toggle": QT_TRANSLATE_NOOP("actions", "Start/stop streaming"),
    "record.toggle": QT_TRANSLATE_NOOP("actions", "Start/stop recording"),
}


@dataclass(frozen=True)
class ActionSpec:
    id: str
    label: str  # translated
    default_key: str = ""


def action_label(action: HotkeyAction) -> str:
    """The action's label in the UI language."""
    template = ACTION_LABELS[action.family]
    label = QCoreApplication.translate("actions", template)
    if "{" in template:  # only a label with fields is formatted: a translation may contain braces
        label = label.format(n=action.number, name=action.subject, title=action.subject)
    return label


def action_catalogue(show: Show) -> list[ActionSpec]:
    """Every bindable action of this show, in the order the hotkey dialog lists them."""
    return [ActionSpec(action.id, action_label(action), action.default_key) for action in hotkey_actions(show)]


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
