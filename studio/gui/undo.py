"""Undo and redo for show edits: every edit the editing docks make goes through one EditHistory.

`history.run(description, edit)` takes the show before (session.show), runs the edit (a session
call), takes the show after and pushes a command whose undo makes the "before" parts running
again and whose redo makes the "after" parts running again, both through session.replace_show
(live, at the engine's next tick, no restart). Only the parts the edit changed (sources, scenes,
audio inputs, program or preview scene) are put back, so an undo of a layer move does not also
take back a fader moved since. An edit refused with an InputError pushes nothing, changes
nothing and is told (through `tell`, which tests replace).

Consecutive edits with the same `merge_key` (a drag of one layer on the preview monitor) are one
undo step until `seal()` is called (the mouse is released).

It also moves the session's show_changed event onto the GUI thread (`show_changed`), since the
remote control edits from its own thread: the docks listen to that.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMessageBox, QWidget

from studio.engine.errors import InputError
from studio.engine.show import Show
from studio.session import EDITED_FIELDS, StudioSession

MERGEABLE_COMMAND_ID = 0x5EED  # any value but -1: QUndoStack merges commands of equal ids


def changed_fields(before: Show, after: Show) -> tuple[str, ...]:
    """Which of the edited parts of a show differ between the two."""
    return tuple(field for field in EDITED_FIELDS if getattr(before, field) != getattr(after, field))


def layer_merge_key(scene_id: str, layer_id: int) -> tuple[str, str, int]:
    """The merge key for moving or resizing one layer (a drag on the preview monitor)."""
    return ("layer-geometry", scene_id, layer_id)


class ShowEditCommand(QUndoCommand):
    """One edit, as the show before and after it (the edit itself is never run again)."""

    def __init__(self, history: EditHistory, description: str, before: Show, after: Show, merge_key: Hashable | None) -> None:
        super().__init__(description)
        self._history = history
        self.before = before
        self.after = after
        self.fields = changed_fields(before, after)
        self.merge_key = merge_key
        self._already_done = True  # push() calls redo() at once: the edit has run already

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return MERGEABLE_COMMAND_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, ShowEditCommand) or other.merge_key is None or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        self.fields = changed_fields(self.before, self.after)
        if not self.fields:
            self.setObsolete(True)  # dragged back to where it was: nothing to undo
        return True

    def undo(self) -> None:
        self._history._put_back(self.before, self.fields, self.text())

    def redo(self) -> None:
        if self._already_done:
            self._already_done = False
            return
        self._history._put_back(self.after, self.fields, self.text())


class SessionRelay(QObject):
    """The session's show_changed, re-emitted as a Qt signal: queued onto the GUI thread when the
    edit came from another thread, delivered at once when it came from this one."""

    show_changed = Signal(object)

    def __init__(self, session: StudioSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        relay = weakref.ref(self)

        # A plain function, held by psygnal strongly; it holds the relay weakly.
        def forward(show: Show) -> None:
            target = relay()
            if target is not None and shiboken6.isValid(target):
                target.show_changed.emit(show)

        self._forward = forward
        session.events.show_changed.connect(forward)
        self.destroyed.connect(lambda *_: SessionRelay.detach_from(session, forward))

    def detach(self) -> None:
        self.detach_from(self._session, self._forward)

    @staticmethod
    def detach_from(session: StudioSession, forward: Callable[[Show], None]) -> None:
        try:
            session.events.show_changed.disconnect(forward)
        except (ValueError, RuntimeError):
            pass


class EditHistory(QObject):
    """The undo stack of one session's show edits (see the module docstring)."""

    edited = Signal()
    """An edit was made, undone or redone: the show has unsaved changes."""

    show_changed = Signal(object)
    """payload: the Show after any change (ours, the remote control's, a load); GUI thread."""

    def __init__(self, session: StudioSession, parent: QObject | None = None, *, tell: Callable[[str, str], None] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(200)
        self.tell: Callable[[str, str], None] = tell or self._message_box
        self.last_result: Any = None
        self._merge_generation = 0
        self._relay = SessionRelay(session, self)
        self._relay.show_changed.connect(self.show_changed)
        self.undo_action = self._action(self.tr("&Undo"), self.stack.undo, [QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = self._action(
            self.tr("&Redo"),
            self.stack.redo,
            [*QKeySequence.keyBindings(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z")],
        )
        self.stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.stack.undoTextChanged.connect(lambda text: self._retitle(self.undo_action, self.tr("&Undo"), text))
        self.stack.redoTextChanged.connect(lambda text: self._retitle(self.redo_action, self.tr("&Redo"), text))
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)

    # -- running edits ------------------------------------------------------------------------

    def run(
        self,
        description: str,
        edit: Callable[[], Any],
        merge_key: Hashable | None = None,
        *,
        tell: Callable[[str, str], None] | None = None,
    ) -> bool:
        """Run `edit` (session calls) as one undo step. True if it went through (its return
        value is in `last_result`); False if it was refused: then nothing changed and the
        reason, naming the field, was told (to `tell` if given, else to self.tell).
        Consecutive runs with the same `merge_key` (see layer_merge_key) are one step until
        seal(). The signature fits LayerEditor's apply_edit(description, edit, merge_key)."""
        before = self.session.show
        try:
            result = edit()
        except InputError as error:
            self._restore(before)  # an edit of several calls may have made some of them
            (tell or self.tell)(description, str(error))
            return False
        self.last_result = result
        after = self.session.show
        if not changed_fields(before, after):
            return True  # nothing to undo (e.g. a rename to the same name)
        key = None if merge_key is None else (merge_key, self._merge_generation)
        self.stack.push(ShowEditCommand(self, description, before, after, key))
        self.edited.emit()
        return True

    def seal(self) -> None:
        """The next edit starts a new undo step even if it has the same merge key (the end of a
        drag)."""
        self._merge_generation += 1

    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def clear(self) -> None:
        """Forget every step (another show was opened)."""
        self.stack.clear()

    def set_clean(self) -> None:
        """The show was saved here."""
        self.stack.setClean()

    # -- inside -------------------------------------------------------------------------------

    def _put_back(self, target: Show, fields: tuple[str, ...], description: str) -> None:
        current = self.session.show
        show = current.model_copy(update={field: getattr(target, field) for field in fields})
        try:
            self.session.replace_show(show)
        except InputError as error:  # e.g. the canvas changed since: say so, the show goes on
            self.tell(description, str(error))
            return
        self.edited.emit()

    def _restore(self, before: Show) -> None:
        fields = changed_fields(before, self.session.show)
        if fields:
            self.session.replace_show(self.session.show.model_copy(update={field: getattr(before, field) for field in fields}))

    def _action(self, text: str, slot: Callable[[], None], shortcuts: list[QKeySequence]) -> QAction:
        action = QAction(text, self)
        unique: list[QKeySequence] = []
        for shortcut in shortcuts:
            if not shortcut.isEmpty() and shortcut not in unique:
                unique.append(shortcut)
        action.setShortcuts(unique)
        action.triggered.connect(slot)
        return action

    def _retitle(self, action: QAction, base: str, text: str) -> None:
        action.setText(f"{base} {text}" if text else base)

    def _message_box(self, title: str, text: str) -> None:
        parent = self.parent()
        QMessageBox.warning(parent if isinstance(parent, QWidget) else None, title, text)
