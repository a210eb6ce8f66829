"""The main window: studio mode (preview beside program), the multiview, scenes, transitions,
the audio mixer, Go Live and Record, menus for show files, settings and hotkeys.

It calls only the engine's public methods and hears from it only through the bridge. Anything
that can take long (building, starting, stopping an engine) runs on EngineHost's worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from studio.commerce.selling_desk import SellingDesk
from studio.engine.engine import Engine
from studio.engine.errors import InputError, StudioError
from studio.engine.outputs.stream import OutputState
from studio.engine.secrets import mask_url
from studio.engine.show import Show, TransitionKind, load_show, save_show
from studio.engine.sources.base import SourceStatus
from studio.session import EDITED_FIELDS, SessionOptions, StudioSession, file_name_slug
from studio.gui.bridge import EngineBridge
from studio.gui.engine_host import EngineHost
from studio.gui.hotkeys import HotkeyDispatcher, effective_bindings
from studio.gui.hotkeys_dialog import HotkeysDialog
from studio.gui.canvas_column import CanvasColumn
from studio.gui.layer_editor import LayerEditor
from studio.gui.scene_editor import SceneEditor
from studio.gui.sources_panel import SourcesPanel
from studio.gui.undo import EditHistory
from studio.gui.mixer_panel import MixerPanel
from studio.gui.monitors import TALLY_PREVIEW, TALLY_PROGRAM, MonitorView, MultiviewWidget
from studio.gui.panels import ScenePanel, TransitionPanel
from studio.gui.preferences import Preferences, PreferencesStore
from studio.gui.comments_panel import CommentsPanel
from studio.gui.guests_panel import GuestsPanel
from studio.gui.products_panel import ProductsPanel
from studio.gui.settings_dialog import SettingsDialog
from studio.gui.status_bar import StudioStatusBar
from studio.gui.theme import ON_AIR_STYLE, RECORDING_STYLE

log = logging.getLogger(__name__)

APP_NAME = "Live Selling Studio"
DISPLAY_REFRESH_MS = 33  # monitors and meters: about the display's rate, never faster than program
MULTIVIEW_FPS = 15
SHOW_FILE_FILTER = "Show files (*.json)"


class MainWindow(QMainWindow):
    show_loaded = Signal(str)  # show name, once its engine runs
    # The remote control runs on its own thread; what it does to the window comes through these
    # (queued onto the GUI thread), like a button press.
    remote_hotkey = Signal(str)

    def __init__(
        self,
        *,
        show: Show,
        show_path: Path | None,
        build_engine: Callable[[Show], Engine],
        preferences_store: PreferencesStore,
    ) -> None:
        super().__init__()
        self.preferences_store = preferences_store
        self.preferences: Preferences = preferences_store.load()
        # The one session of this window: it owns the engine, the desks, the servers, the show
        # being edited and the on-air state; the window only calls it and listens to it.
        self.session = StudioSession(
            show,
            SessionOptions(
                show_reference=str(show_path) if show_path else None,
                recording_folder=Path(self.preferences.recording_folder),
                build_engine=build_engine,
            ),
        )
        # Every edit of sources, scenes and layers goes through it: undo/redo, and the show is dirty.
        self.history = EditHistory(self.session, self)
        self.history.tell = lambda title, text: self.tell(title, text)
        self.history.edited.connect(self.mark_dirty)
        self.show_path = show_path
        self._loading_show: Show | None = None  # a show opened, its engine not running yet
        self.dirty = False
        self._recording_part: Path | None = None  # the part being written now (splits)
        self._close_confirmed = False
        self._closing = False
        self.desk: SellingDesk | None = None
        self.comments = None  # the session's CommentDesk while an engine runs
        self.remote_hotkey.connect(self.run_remote_action)
        from studio.starter_show import attached_devices

        self.list_devices = attached_devices  # (cameras, microphones); tests give their own

        self.bridge = EngineBridge(self)
        self.bridge.attach_session(self.session)
        self.host = EngineHost(self.session, self)
        self.host.engine_ready.connect(self._on_engine_ready)
        self.host.engine_failed.connect(self._on_engine_failed)
        self.host.engine_stopped.connect(self._on_engine_stopped)

        self._build_central()
        self._build_docks()
        self._build_toolbar()
        self.status = StudioStatusBar(self)
        self.setStatusBar(self.status)
        self.guests_panel.stats_refreshed.connect(self.status.update_guests)
        self._build_menus()
        self.hotkeys = HotkeyDispatcher(self, self.run_action)
        self._connect_bridge()

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setInterval(DISPLAY_REFRESH_MS)
        self.refresh_timer.timeout.connect(self._refresh_pictures)
        self.refresh_timer.start()

        self.resize(default_window_size())
        self._default_state = self.saveState()
        self._restore_layout()
        self.load_document(show, show_path)

    @property
    def canvas_monitor(self) -> MonitorView:
        """The other canvas's monitor (its program, or its preview while editing its layout)."""
        return self.canvas_column.monitor

    # -- building the window ----------------------------------------------------------------------

    def _build_central(self) -> None:
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(8)
        self.preview_monitor = MonitorView(self.tr("Preview"), central)
        self.program_monitor = MonitorView(self.tr("Program"), central)
        self.preview_monitor.set_tally(TALLY_PREVIEW)
        self.program_monitor.set_tally(TALLY_PROGRAM)
        for header, monitor in ((self.tr("PREVIEW"), self.preview_monitor), (self.tr("PROGRAM"), self.program_monitor)):
            column = QVBoxLayout()
            column.setContentsMargins(0, 0, 0, 0)
            label = QLabel(header, central)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("font-weight: bold; letter-spacing: 2px;")
            column.addWidget(label)
            column.addWidget(monitor, 1)
            layout.addLayout(column, 16)
        # The other canvas (the vertical one) beside them when the show has it: its program, or
        # its preview with a layer editor of its own (gui/canvas_column.py).
        self.canvas_column = CanvasColumn(self.session, self.history.run, self.history.seal, central)
        self.canvas_column.error.connect(self.show_problem)
        self.canvas_column.overlays_changed.connect(self.mark_dirty)
        layout.addWidget(self.canvas_column, 9)
        self.canvas_column.hide()
        self.setCentralWidget(central)

    def _dock(self, object_name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea | None) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)  # saveState() keys the layout by these names
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        if area is not None:  # None: the caller splits or tabifies it in
            self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.multiview = MultiviewWidget(self)
        self.scenes = ScenePanel(self)
        self.transitions = TransitionPanel(self)
        self.mixer = MixerPanel(self)
        self.products = ProductsPanel(self)
        self.comments_panel = CommentsPanel(self)
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        # The run sheet takes the whole right edge, top to bottom: the seller's second-most-used panel.
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.multiview_dock = self._dock("multiview", self.tr("Multiview"), self.multiview, Qt.DockWidgetArea.TopDockWidgetArea)
        self.scenes_dock = self._dock("scenes", self.tr("Scenes"), self.scenes, bottom)
        # The rest of the bottom row is placed by splitting, never added to the area first: docks
        # added and then moved leave stale tab bars drawn over the row once one is tabified.
        self.transitions_dock = self._dock("transitions", self.tr("Transitions"), self.transitions, None)
        self.mixer_dock = self._dock("mixer", self.tr("Audio Mixer"), self.mixer, None)
        # In a scroll area: the run sheet's buttons must not make the window taller than a laptop screen.
        products_scroll = QScrollArea(self)
        products_scroll.setWidgetResizable(True)
        products_scroll.setFrameShape(QFrame.Shape.NoFrame)
        products_scroll.setWidget(self.products)
        products_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        products_scroll.setMinimumWidth(self.products.minimumSizeHint().width() + products_scroll.verticalScrollBar().sizeHint().width())
        self.products_dock = self._dock("products", self.tr("Products"), products_scroll, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self.products_dock], [340], Qt.Orientation.Horizontal)
        self.comments_dock = self._dock("comments", self.tr("Comments"), self.comments_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.products_dock, self.comments_dock)
        # Guests (连麦): their calls, links and settings, beside the comments.
        self.guests_panel = GuestsPanel(self.history, self)
        self.guests_dock = self._dock("guests", self.tr("Guests"), self.guests_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.comments_dock, self.guests_dock)
        self.products_dock.raise_()
        # Building the studio: the selected scene's layers, and every source of the show (tabbed).
        self.scenes.attach_history(self.history)
        self.scene_editor = SceneEditor(self.history, self)
        self.sources = SourcesPanel(self.history, self, current_scene=self.scene_editor.current_scene_id)
        self.layers_dock = self._dock("layers", self.tr("Layers"), self.scene_editor, None)
        self.sources_dock = self._dock("sources", self.tr("Sources"), self.sources, None)
        # Side by side, as OBS has them. (Not tabbed: a second tabbed group made before the window
        # is shown leaves a stale tab bar drawn over the docks, Qt 6.8-6.11.)
        self.splitDockWidget(self.scenes_dock, self.layers_dock, Qt.Orientation.Horizontal)
        self.splitDockWidget(self.layers_dock, self.sources_dock, Qt.Orientation.Horizontal)
        self.splitDockWidget(self.sources_dock, self.transitions_dock, Qt.Orientation.Horizontal)
        self.splitDockWidget(self.transitions_dock, self.mixer_dock, Qt.Orientation.Horizontal)
        self.resizeDocks(
            [self.scenes_dock, self.layers_dock, self.sources_dock, self.transitions_dock, self.mixer_dock],
            [160, 250, 210, 160, 420],
            Qt.Orientation.Horizontal,
        )
        # Direct editing on the preview: select, move, resize, crop; in sync with the layers list.
        self.layer_editor = LayerEditor(self.preview_monitor, self.session, self.history.run, seal_edits=self.history.seal)
        self.layer_editor.layer_selected.connect(self.scene_editor.select_layer)
        self.scene_editor.layer_selected.connect(self.layer_editor.select_layer)
        self.layer_editor.transform_requested.connect(self.scene_editor.transform_layer)
        self.resizeDocks([self.multiview_dock], [190], Qt.Orientation.Vertical)

        self.scenes.preview_requested.connect(lambda name: self._engine_call(lambda e: e.set_preview(name)))
        self.scenes.program_requested.connect(lambda name: self._engine_call(lambda e: e.cut(name)))
        self.transitions.cut_requested.connect(lambda: self.run_action("cut"))
        self.transitions.auto_requested.connect(lambda: self.run_action("auto"))
        self.transitions.tbar_moved.connect(self._on_tbar)
        self.transitions.settings_changed.connect(self._on_transition_settings)
        self.mixer.changed.connect(self.mark_dirty)
        self.mixer.error.connect(self.show_problem)
        self.products.changed.connect(self.mark_dirty)
        self.products.error.connect(self.show_problem)
        self.comments_panel.changed.connect(self.mark_dirty)
        self.comments_panel.error.connect(self.show_problem)
        self.guests_panel.error.connect(self.show_problem)
        self.guests_panel.notice.connect(lambda text: self.status.showMessage(text, 5_000))
        self.guests_panel.changed.connect(self.mark_dirty)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Controls"), self)
        toolbar.setObjectName("controls")
        toolbar.setMovable(False)
        self.go_live_button = QPushButton(self.tr("Go Live"), self)
        self.record_button = QPushButton(self.tr("Record"), self)
        for button in (self.go_live_button, self.record_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumWidth(110)
            toolbar.addWidget(button)
        self.go_live_button.clicked.connect(self.toggle_streaming)
        self.record_button.clicked.connect(self.toggle_recording)
        self.show_label = QLabel(self)
        self.show_label.setContentsMargins(12, 0, 0, 0)
        toolbar.addWidget(self.show_label)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self._add_action(file_menu, self.tr("&New show"), self.new_show, QKeySequence.StandardKey.New)
        self._add_action(file_menu, self.tr("&Open show..."), self.open_show_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = file_menu.addMenu(self.tr("Open &recent"))
        self._add_action(file_menu, self.tr("&Save"), self.save, QKeySequence.StandardKey.Save)
        self._add_action(file_menu, self.tr("Save &as..."), self.save_as, QKeySequence.StandardKey.SaveAs)
        file_menu.addSeparator()
        self._add_action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        undo_menu = self.menuBar().addMenu(self.tr("&Edit"))
        undo_menu.addAction(self.history.undo_action)
        undo_menu.addAction(self.history.redo_action)
        edit_menu = self.menuBar().addMenu(self.tr("&Settings"))
        self._add_action(edit_menu, self.tr("&Settings..."), self.open_settings, QKeySequence.StandardKey.Preferences)
        self._add_action(edit_menu, self.tr("&Hotkeys..."), self.open_hotkeys)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        for dock in self._docks():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        self._add_action(view_menu, self.tr("&Reset layout"), self.reset_layout)
        self._rebuild_recent_menu()

    def _add_action(self, menu, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- the session's state, read where it lives ---------------------------------------------------

    @property
    def document(self) -> Show:
        """The show as Save writes it (edits, the mixer's settings and the run sheet included);
        while a new show is being loaded, that one."""
        return self._loading_show if self._loading_show is not None else self.session.show

    @document.setter
    def document(self, show: Show) -> None:
        self.session.set_document(show)

    @property
    def streaming(self) -> bool:
        return self.session.streaming

    @property
    def recording_path(self) -> Path | None:
        """The file asked for; with splits, the first part."""
        return self.session.recording_path

    @property
    def remote(self):
        return self.session.remote

    def _connect_bridge(self) -> None:
        self.bridge.on_air_changed.connect(lambda *_: self._update_buttons())
        self.bridge.show_changed.connect(self._on_show_edited)
        self.bridge.preview_scene_changed.connect(self.scene_editor.follow_preview_scene)
        self.bridge.preview_scene_changed.connect(self.layer_editor.set_scene)
        self.layer_editor.error.connect(self.show_problem)
        self.bridge.warning.connect(self.show_problem)
        self.bridge.program_scene_changed.connect(self._on_program_scene)
        self.bridge.preview_scene_changed.connect(self._on_preview_scene)
        self.bridge.source_status_changed.connect(self._on_source_status)
        self.bridge.program_stats.connect(self.status.update_stats)
        self.bridge.recording_state_changed.connect(self._on_recording_state)
        self.bridge.output_state_changed.connect(self._on_output_state)
        self.bridge.error.connect(self.show_problem)

    # -- the show document ------------------------------------------------------------------------

    def load_document(self, show: Show, path: Path | None) -> None:
        """Make `show` the open show and start an engine on it."""
        self.show_path = path
        self._loading_show = show
        self.history.clear()
        self._shown_structure = edited_structure(show)
        self.dirty = False
        try:
            self.bindings = effective_bindings(show)
        except ValueError as error:
            # A hand-edited file with a clash: keep the defaults running and say what was wrong.
            self.bindings = effective_bindings(show.model_copy(update={"hotkeys": {}}))
            message = f"{path or show.name}: {error}"
            QTimer.singleShot(0, lambda: self.tell(self.tr("Hotkeys"), message))
        self.hotkeys.set_bindings(self.bindings)
        if path is not None:
            self.preferences.remember_show(str(path))
            self._save_preferences()
            self._rebuild_recent_menu()
        self.status.recording_folder = Path(self.preferences.recording_folder)
        self._detach_engine()
        self.host.start(show, str(path) if path else None)
        self._update_title(show)

    def _detach_engine(self) -> None:
        """Let go of the running engine's parts; the session stops them on the host's worker
        (a card being rendered, a recording being finalized: never on the GUI thread). The
        servers stay up across an engine restart and follow the next engine."""
        if self.desk is not None:
            self.desk = None
            self.products.set_desk(None)
        if self.comments is not None:
            self.comments_panel.set_desk(None)
            self.comments = None
        self.bridge.detach()
        self.layer_editor.set_scene(None)
        self.canvas_column.detach()
        for monitor in (self.preview_monitor, self.program_monitor, *self.multiview.views.values()):
            monitor.attach(None, None)
        self.mixer.set_engine(None)
        self.status.reset()

    def mark_dirty(self) -> None:
        if not self.dirty:
            self.dirty = True
            self._update_title()

    def _update_title(self, show: Show | None = None) -> None:
        show = show or self.document
        name = self.show_path.name if self.show_path else show.name
        self.setWindowTitle(f"{name}{'*' if self.dirty else ''} \u2014 {APP_NAME}")
        self.show_label.setText(show.name)

    def current_document(self) -> Show:
        """The show as Save writes it: the edited show with the mixer's and the run sheet's state."""
        return self.document

    def _refuse_while_on_air(self, title: str) -> bool:
        """Replacing the show replaces the engine: never while streaming or recording."""
        if self.streaming or self.recording_path is not None:
            self.tell(title, self.tr("Stop streaming and recording before opening another show."))
            return True
        return False

    def new_show(self) -> None:
        if not self._refuse_while_on_air(self.tr("New show")) and self._may_discard_changes():
            self.load_document(self.offer_starter_show() or new_demo_show(), None)

    def offer_starter_show(self) -> Show | None:
        """With cameras attached: offer a show built from them (a scene per camera, a grid, a
        PiP, the first microphone); None when there are none or the seller says no."""
        from studio.starter_show import starter_show

        cameras, microphones = self.list_devices()
        show = starter_show(cameras, microphones, name=self.tr("My show"))
        if show is None:
            return None
        names = ", ".join(camera.name for camera in cameras[:9])
        text = self.tr("Build a show from the cameras on this computer ({cameras})?").format(cameras=names)
        if microphones:
            text += "\n" + self.tr("The microphone goes into the mixer.")
        return show if self.ask(self.tr("Your cameras"), text) else None

    def offer_starter_show_at_first_run(self) -> None:
        show = self.offer_starter_show()
        if show is not None:
            self.load_document(show, None)

    def open_show_dialog(self) -> None:
        if self._refuse_while_on_air(self.tr("Open show")) or not self._may_discard_changes():
            return
        folder = str(self.show_path.parent) if self.show_path else ""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open show"), folder, SHOW_FILE_FILTER)
        if path:
            self.open_show(Path(path))

    def open_show(self, path: Path) -> bool:
        """Load a show file; a bad file is reported (file and field) and the current show stays."""
        if self._refuse_while_on_air(self.tr("Open show")):
            return False
        try:
            show = load_show(path)
        except InputError as error:
            self.tell(self.tr("Could not open the show"), str(error))
            return False
        self.load_document(show, path)
        return True

    def save(self) -> bool:
        if self.show_path is None:
            return self.save_as()
        return self._write(self.show_path)

    def save_as(self) -> bool:
        folder = str(self.show_path.parent) if self.show_path else str(Path.home())
        suggested = str(Path(folder) / f"{file_name_slug(self.document.name)}.json")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save show as"), suggested, SHOW_FILE_FILTER)
        if not path:
            return False
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        show = self.current_document()
        try:
            save_show(show, path)
        except OSError as error:
            self.tell(self.tr("Could not save"), self.tr("{file}: {reason}").format(file=path, reason=error.strerror or error))
            return False
        self.show_path, self.dirty = path, False
        self.history.set_clean()
        self.session.options.show_reference = str(path)
        self.preferences.remember_show(str(path))
        self._save_preferences()
        self._rebuild_recent_menu()
        self._update_title()
        return True

    def _may_discard_changes(self) -> bool:
        if not self.dirty:
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.preferences.recent_shows:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self._open_recent(Path(p)))
        self.recent_menu.setEnabled(bool(self.preferences.recent_shows))

    def _open_recent(self, path: Path) -> None:
        if not self._refuse_while_on_air(self.tr("Open show")) and self._may_discard_changes():
            self.open_show(path)

    # -- settings and hotkeys ---------------------------------------------------------------------

    def open_settings(self) -> None:
        live = self.streaming or self.recording_path is not None
        dialog = SettingsDialog(self.current_document(), self.preferences, parent=self, live=live)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.apply_settings(dialog.result_show(), dialog.result_preferences(), dialog.needs_restart())

    def apply_settings(self, show: Show, preferences: Preferences, needs_restart: bool) -> None:
        language_changed = preferences.language != self.preferences.language
        self.preferences = preferences
        self._save_preferences()
        self.status.recording_folder = Path(preferences.recording_folder)
        self.session.options.recording_folder = Path(preferences.recording_folder)
        current = self.current_document()
        changed = show != current
        # Sources and inputs changed alone apply live; the canvas, the encoder or the audio
        # devices (or a dialog that asks for it) need a new engine, off air.
        live_only = changed and all(
            getattr(show, field) == getattr(current, field) for field in Show.model_fields if field not in EDITED_FIELDS
        )
        if needs_restart and not live_only and not self.session.on_air:
            path, dirty = self.show_path, self.dirty or changed
            self.load_document(show, path)
            self.dirty = dirty
        else:
            # Sources and inputs change live (the edit lands on the next tick); the rest is data.
            try:
                self.session.replace_show(show)
            except InputError as error:
                self.tell(self.tr("Settings"), str(error))
            self.document = show  # the rest: destinations, transitions, selling and comment settings
            self.dirty = self.dirty or changed
        self._update_title()
        if language_changed:
            self.tell(self.tr("Language"), self.tr("The new language is used the next time the studio starts."))

    def open_hotkeys(self) -> None:
        dialog = HotkeysDialog(self.current_document(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_hotkeys(dialog.result_hotkeys())

    def set_hotkeys(self, changes: dict[str, str]) -> None:
        show = self.document.model_copy(update={"hotkeys": changes})
        self.bindings = effective_bindings(show)  # the dialog refused conflicts already
        self.hotkeys.set_bindings(self.bindings)
        self.products.set_hotkey_texts(self.bindings)
        if changes != self.document.hotkeys:
            self.document = show
            self.mark_dirty()

    # -- actions (buttons, hotkeys) ---------------------------------------------------------------

    def run_action(self, action_id: str) -> None:
        kind, _, argument = action_id.partition(".")
        # Every key press lands here: read the scenes without the run sheet's lock (session.show
        # takes it, and the card renderer may hold it for a frame or two).
        scenes = [scene.name for scene in (self._loading_show or self.session.document).scenes]
        if kind == "cut":
            self._engine_call(lambda e: e.cut())
        elif kind == "auto":
            self._engine_call(lambda e: e.transition(kind=self.transitions.selected_kind(), duration_ms=self.transitions.duration.value()))
        elif kind in ("preview_scene", "program_scene") and argument.isdigit() and int(argument) <= len(scenes):
            name = scenes[int(argument) - 1]
            self._engine_call(lambda e: e.set_preview(name) if kind == "preview_scene" else e.cut(name))
        elif kind == "mute_input":
            self._toggle_mute(argument)
        elif action_id in ("link_321", "dismiss_card", "apply_preset", "sold_out") or kind == "product":
            self._run_selling_action(action_id, argument)
        elif action_id == "stream.toggle":
            self.toggle_streaming()
        elif action_id == "record.toggle":
            self.toggle_recording()

    def _run_selling_action(self, action_id: str, argument: str) -> None:
        desk = self.desk
        if desk is None:
            self.show_problem(self.tr("This show has no products"))
            return
        try:
            if action_id == "link_321":
                desk.link_321()
            elif action_id == "dismiss_card":
                desk.dismiss_card()
            elif action_id == "apply_preset":
                desk.apply_preset()
            elif action_id == "sold_out":
                current = desk.current_product
                if current is not None:
                    desk.set_sold_out(current.id, not current.sold_out)
                    self.mark_dirty()
            elif argument in ("next", "previous"):
                desk.step_product(1 if argument == "next" else -1)
            elif argument.isdigit() and int(argument) <= len(desk.products):
                desk.select_product(desk.products[int(argument) - 1].id)
        except (InputError, RuntimeError) as error:
            self.show_problem(str(error))

    def _toggle_mute(self, input_id: str) -> None:
        engine = self.host.engine
        if engine is None:
            return
        muted = not engine.audio_input(input_id).muted
        if self._engine_call(lambda e: e.set_input_muted(input_id, muted)):
            self.mixer.set_input_muted_from_outside(input_id, muted)
            self.mark_dirty()

    def _engine_call(self, call: Callable[[Engine], object]) -> bool:
        """Call the engine if one runs; a refused call is shown, never raised into Qt."""
        engine = self.host.engine
        if engine is None:
            self.show_problem(self.tr("The show is still starting"))
            return False
        try:
            call(engine)
        except (InputError, RuntimeError) as error:
            self.show_problem(str(error))
            return False
        return True

    def _on_tbar(self, position: float) -> None:
        self._engine_call(lambda e: e.set_tbar(position, kind=self.transitions.selected_kind()))

    def _on_transition_settings(self, kind: str, duration_ms: int) -> None:
        transition = self.document.transition.model_copy(update={"kind": TransitionKind(kind), "duration_ms": duration_ms})
        self.document = self.document.model_copy(update={"transition": transition})
        self.mark_dirty()

    # -- going live and recording -----------------------------------------------------------------

    def toggle_streaming(self) -> None:
        if self.streaming:
            if self.ask(self.tr("End the live stream?"), self.tr("Stop streaming to every destination?")):
                self.stop_streaming()
            return
        destinations = [d for d in self.document.destinations if d.enabled]
        if not destinations:
            self.tell(self.tr("Go Live"), self.tr("No destination is set up. Add one in Settings, Destinations."))
            return
        listing = "\n".join(
            f"\u2022 {d.name} ({d.target().kind.value.upper()}, {d.canvas}): {mask_url(d.full_url())}" for d in destinations
        )
        if self.ask(self.tr("Go live?"), self.tr("Start streaming to:\n{destinations}").format(destinations=listing)):
            self.start_streaming()

    def start_streaming(self) -> None:
        if self.host.engine is None:
            return
        try:
            problems = self.session.start_streaming()
        except (InputError, RuntimeError) as error:
            self.tell(self.tr("Go Live"), str(error))
            return
        for problem in problems:
            self.show_problem(problem)

    def stop_streaming(self) -> None:
        if self.host.engine is not None:
            self.session.stop_streaming()

    def toggle_recording(self) -> None:
        if self.recording_path is not None:
            if self.host.engine is not None:
                self.session.stop_recording()
            return
        folder = Path(self.preferences.recording_folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.tell(self.tr("Record"), self.tr("Cannot create the recording folder {folder}: {reason}").format(folder=folder, reason=error.strerror))
            return
        if self.host.engine is None:
            self.show_problem(self.tr("The show is still starting"))
            return
        try:
            self._recording_part = self.session.start_recording()
        except (InputError, RuntimeError) as error:
            self.tell(self.tr("Record"), str(error))

    def _update_buttons(self) -> None:
        if self.recording_path is not None and not self.status.recording:
            self.status.recording_started()
        elif self.recording_path is None and self.status.recording:
            self.status.recording_stopped()
        self.go_live_button.setText(self.tr("End Live") if self.streaming else self.tr("Go Live"))
        self.go_live_button.setStyleSheet(ON_AIR_STYLE if self.streaming else "")
        self.record_button.setText(self.tr("Stop Recording") if self.recording_path else self.tr("Record"))
        self.record_button.setStyleSheet(RECORDING_STYLE if self.recording_path else "")

    # -- engine events (GUI thread) ---------------------------------------------------------------

    def _on_engine_ready(self, engine: Engine) -> None:
        self._loading_show = None
        show = engine.show
        self.bridge.attach(engine)
        aspect = show.canvas.width / show.canvas.height
        for monitor, target, fps in ((self.preview_monitor, "preview", 30), (self.program_monitor, "program", 30)):
            monitor.aspect = aspect
            monitor.attach(self._tap_opener(engine, target, fps), engine.close_video_tap)
        self.canvas_column.attach(engine, show)
        self._attach_multiview(engine, show)
        self.scenes.set_scenes(engine.scene_names)
        self.transitions.set_settings(self.document.transition.kind, self.document.transition.duration_ms)
        self.mixer.set_engine(engine)
        self.desk = self.session.selling
        self.products.set_desk(self.desk)  # the panel relays the desk's errors through its error signal
        self.products.set_hotkey_texts(self.bindings)
        # The guest service, when the show has guests: a port in use is reported, the show goes on.
        self.guests_panel.start_service_if_needed()
        self._start_comments(engine)
        self._start_remote(engine)
        self._on_scenes(engine.program_scene, engine.preview_scene)
        self.scene_editor.follow_preview_scene(engine.preview_scene)
        self.layer_editor.set_scene(engine.preview_scene)
        self.show_loaded.emit(show.name)

    def _start_comments(self, engine: Engine) -> None:
        """The session's comment desk (store, replay, Twitch) in the Comments dock and, when the
        show asks for it, the local comments API; a part that cannot start is reported and the
        show goes on."""
        self.comments = self.session.comments
        if self.comments is None:
            return
        settings = self.document.comments
        if settings.api_port and self.session.comments_api is None:
            try:
                self.session.start_comments_api(settings.api_port, settings.api_token.get_secret_value())
            except StudioError as error:  # the port is taken...: the show and the feed go on
                self.show_problem(self.tr("Comments API: cannot listen on port {port}: {reason}").format(port=settings.api_port, reason=error))
        self.comments_panel.set_desk(self.comments)

    def _start_remote(self, engine: Engine) -> None:
        """The obs-websocket 5 compatible remote control (Stream Deck, Companion...): on by
        default on 127.0.0.1:4455 with a password made on first run (Settings, General). It
        follows every engine of the session; its hotkeys are pressed in this window."""
        if not self.preferences.remote_enabled or self.session.remote is not None:
            return
        if self.preferences.ensure_remote_password():
            self._save_preferences()
        self.session.hotkey_handler = self._remote_hotkey
        host = "0.0.0.0" if self.preferences.remote_lan else "127.0.0.1"
        try:
            self.session.start_remote_control(host=host, port=self.preferences.remote_port, password=self.preferences.remote_password)
        except Exception as error:  # a port in use must never keep the show from running
            self.show_problem(self.tr("Remote control: cannot listen on port {port}: {reason}").format(port=self.preferences.remote_port, reason=error))

    def _remote_hotkey(self, name: str) -> bool:
        """A hotkey pressed on a remote device (the remote control's thread): like the key."""
        from studio.control.hotkey_catalogue import hotkey_action_ids

        if name not in hotkey_action_ids(self.document):
            return False
        self.remote_hotkey.emit(name)
        return True

    def run_remote_action(self, action_id: str) -> None:
        """A hotkey pressed on a remote device: like the key, but never a dialog on the seller's
        screen (Go Live from a Stream Deck is the seller's explicit choice)."""
        if action_id == "stream.toggle":
            self.stop_streaming() if self.streaming else self.start_streaming()
        else:
            self.run_action(action_id)

    @staticmethod
    def _tap_opener(engine: Engine, target: str, fps: int):
        return lambda width, height: engine.open_video_tap(target, width, height, fps)

    def _on_show_edited(self, show: Show) -> None:
        if self._loading_show is not None:
            return  # the new show's own load; the engine-ready handler sets everything up
        """An edit (from this window, the remote control or a script) landed in the session:
        the lists, the multiview and the mixer follow; the show has unsaved changes."""
        structure = edited_structure(show)
        if structure == self._shown_structure:
            return
        before, self._shown_structure = self._shown_structure, structure
        self.mark_dirty()
        engine = self.host.engine
        if engine is None:
            return
        if structure["sources"] != before["sources"]:
            self._attach_multiview(engine, show)
        if structure["audio_inputs"] != before["audio_inputs"]:
            self.mixer.set_engine(engine)
        self.scenes.set_scenes([scene.name for scene in show.scenes])
        try:  # scene keys 1-9 follow the scene list
            self.bindings = effective_bindings(show)
            self.hotkeys.set_bindings(self.bindings)
        except ValueError as error:
            self.show_problem(str(error))
        self._on_scenes(engine.program_scene, engine.preview_scene)

    def _attach_multiview(self, engine: Engine, show: Show) -> None:
        aspect = show.canvas.width / show.canvas.height
        for view in self.multiview.views.values():
            view.attach(None, None)
        self.multiview.set_sources([(spec.id, spec.name) for spec in show.sources], aspect)
        for source_id, view in self.multiview.views.items():
            view.attach(self._tap_opener(engine, source_id, MULTIVIEW_FPS), engine.close_video_tap)
        reasons = engine.source_status_reasons()
        for source_id, status in engine.source_status().items():
            self._on_source_status(source_id, status.value, reasons.get(source_id, ""))

    def _on_engine_failed(self, reason: str) -> None:
        self._loading_show = None
        self.tell(self.tr("The show could not start"), reason)

    def _on_engine_stopped(self) -> None:
        if self._closing:
            self._close_confirmed = True
            self.close()

    def _on_program_scene(self, name: str) -> None:
        engine = self.host.engine
        if engine is not None:
            self._on_scenes(name, engine.preview_scene)

    def _on_preview_scene(self, name: str) -> None:
        engine = self.host.engine
        if engine is not None:
            self._on_scenes(engine.program_scene, name)

    def _on_scenes(self, program: str, preview: str) -> None:
        engine = self.host.engine
        if engine is None:
            return
        self.scenes.set_on_air(program, preview)
        self.preview_monitor.title = self.tr("Preview: {scene}").format(scene=preview)
        self.program_monitor.title = self.tr("Program: {scene}").format(scene=program)
        self.canvas_column.set_scenes(program, preview)
        self.multiview.set_tally(set(engine.scene_source_ids(program)), set(engine.scene_source_ids(preview)))

    def _on_source_status(self, source_id: str, status: str, reason: str) -> None:
        self.sources.set_source_status(source_id, status, reason)
        view = self.multiview.views.get(source_id)
        if view is not None:
            view.set_no_signal(status == SourceStatus.NO_SIGNAL)  # a plain str once through the bridge
            view.setToolTip(reason)

    def _on_recording_state(self, state: str, path: str) -> None:
        if self.recording_path is None:
            return
        if state == "recording":
            self._recording_part = Path(path)
        elif state == "stopped" and Path(path) == self._recording_part:
            # A split closes one part and opens the next at once; if no next part follows, the
            # recorder stopped on its own (disk full, an error): say so and reset the button.
            QTimer.singleShot(1000, lambda part=Path(path): self._check_recording_ended(part))

    def _check_recording_ended(self, part: Path) -> None:
        if self.recording_path is not None and self._recording_part == part:
            self.session.recording_ended_by_itself()
            self.tell(self.tr("Record"), self.tr("The recording stopped: {file}").format(file=part))

    def _on_output_state(self, name: str, state: str, reason: str) -> None:
        if state in (OutputState.FAILED, OutputState.RECONNECTING):
            self.show_problem(self.tr("{name}: {state} {reason}").format(name=name, state=state, reason=reason))

    def _refresh_pictures(self) -> None:
        self.preview_monitor.refresh()
        self.program_monitor.refresh()
        self.canvas_column.refresh()
        self.multiview.refresh()
        self.mixer.update_levels(*self.bridge.levels.take())

    # -- messages (tests replace ask/tell/ask_save_changes) ----------------------------------------

    def show_problem(self, message: str) -> None:
        """A non-blocking message: the show goes on."""
        self.status.showMessage(message, 10_000)
        log.warning("%s", message)

    def ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def tell(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def ask_save_changes(self) -> str:
        """"save", "discard" or "cancel"."""
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            self.tr("Save the changes to {show}?").format(show=self.show_path.name if self.show_path else self.document.name),
            buttons.Save | buttons.Discard | buttons.Cancel,
            buttons.Save,
        )
        return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")

    # -- layout and closing -------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = Preferences.decode_bytes(self.preferences.window_geometry)
        state = Preferences.decode_bytes(self.preferences.window_state)
        if geometry:
            self.restoreGeometry(QByteArray(geometry))
        if state:
            self.restoreState(QByteArray(state))

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self._docks():
            dock.setFloating(False)
            dock.show()

    def _docks(self) -> tuple[QDockWidget, ...]:
        return (
            self.multiview_dock, self.scenes_dock, self.layers_dock, self.sources_dock, self.transitions_dock,
            self.mixer_dock, self.products_dock, self.comments_dock, self.guests_dock,
        )

    def _save_preferences(self) -> None:
        self.preferences.window_geometry = Preferences.encode_bytes(bytes(self.saveGeometry().data()))
        self.preferences.window_state = Preferences.encode_bytes(bytes(self.saveState().data()))
        try:
            self.preferences_store.save(self.preferences)
        except OSError as error:
            self.show_problem(self.tr("Could not save preferences: {reason}").format(reason=error))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._close_confirmed:
            self.refresh_timer.stop()
            event.accept()
            return
        event.ignore()
        if self._closing:
            return  # already stopping
        on_air = self.streaming or self.recording_path is not None
        if on_air and not self.ask(
            self.tr("Quit while on air?"),
            self.tr("You are live or recording. Stop streaming and recording, and quit?"),
        ):
            return
        if not self._may_discard_changes():
            return
        self._save_preferences()
        self._closing = True
        self.status.showMessage(self.tr("Stopping the outputs..."))
        if self.streaming:
            self.stop_streaming()
        if self.recording_path is not None:
            self.toggle_recording()
        self._detach_engine()
        self.layer_editor.detach()
        self.canvas_column.stop()
        self.host.stop()  # finalizes the recording and closes the senders; engine_stopped closes the window


def edited_structure(show: Show) -> dict:
    """What the editing API changes, to tell an edit from a settings change."""
    return {
        "sources": [(s.id, s.name, s.kind) for s in show.sources],
        "scenes": [scene.model_dump(mode="json") for scene in show.scenes],
        "audio_inputs": [(a.id, a.name, a.kind) for a in show.audio_inputs],
    }


def default_window_size() -> QSize:
    """1600x900, or less on a smaller screen (a 1366x768 laptop gets nearly all of it)."""
    screen = QApplication.primaryScreen()
    if screen is None:
        return QSize(1600, 900)
    available = screen.availableGeometry()
    return QSize(min(1600, available.width() * 95 // 100), min(900, available.height() * 92 // 100))


def new_demo_show() -> Show:
    """File > New with no camera attached: the demo's test patterns, to be edited into a show."""
    from studio.engine.builtin_shows import builtin_show

    return builtin_show("demo").model_copy(update={"name": "New show"})
