"""The Guests dock (连麦): a card per guest source, with the state of their call and what the
host does with it: copy the guest's link, show it as a QR code, make a new link (the old one
stops working and whoever joined with it is hung up), and two settings of the guest (may they
see program video; does their browser cancel echo and noise). "Add guest" adds one.

A link holds the guest's token, their key to join: it goes to the clipboard or into a QR code,
and is drawn on screen only masked (http://127.0.0.1:8790/guest/guest-1#••••), since a studio
screen is often shared or filmed.

The panel also starts the session's guest service once the show runs and has guests, and starts
it again when its settings (port, LAN, STUN/TURN servers) change, once nobody is in a call. The
state is read from session.guest_stats() once a second on the GUI thread (cheap: each feed's
latest figures); nothing here runs on another thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import numpy as np
import segno
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.engine.errors import InputError
from studio.engine.guest_settings import GuestServiceSettings
from studio.engine.show import Show
from studio.engine.sources.guest import GUEST_KIND
from studio.engine.sources.guest_feed import GuestState, GuestStats
from studio.gui.add_source_dialog import add_guest_with_voice, default_name
from studio.gui.undo import EditHistory

log = logging.getLogger(__name__)

STATS_REFRESH_MS = 1000  # the service measures about once a second
LINK_MASK = "\u2022" * 4
STATE_COLOURS = {
    GuestState.WAITING: "#999",
    GuestState.CONNECTING: "#f0b400",
    GuestState.LIVE: "#3c3",
    GuestState.LOST: "#f44",
}
IN_CALL = (GuestState.CONNECTING, GuestState.LIVE)
QR_MODULE_PX = 6
QR_QUIET_MODULES = 4


def masked_link(link: str) -> str:
    """The link as it may be drawn: everything but the token (the URL fragment)."""
    base, hash_mark, _token = link.partition("#")
    return f"{base}#{LINK_MASK}" if hash_mark else base


def service_key(settings: GuestServiceSettings) -> GuestServiceSettings:
    """What a running service was built from: a change of these needs a new service (the public
    URL only changes the links, which read it each time)."""
    return settings.model_copy(update={"public_url": None})


def qr_image(text: str, module_px: int = QR_MODULE_PX) -> QImage:
    """Black on white QR code of `text`, with its quiet zone."""
    code = segno.make_qr(text, error="m")
    dark = np.pad(np.array([list(row) for row in code.matrix], dtype=bool), QR_QUIET_MODULES, constant_values=False)
    pixels = np.ascontiguousarray(np.repeat(np.repeat(np.where(dark, 0, 255).astype(np.uint8), module_px, 0), module_px, 1))
    height, width = pixels.shape
    return QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()


def _no_focus(widget: QWidget) -> QWidget:
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and Enter stay hotkeys
    return widget


class GuestQrDialog(QDialog):
    """The link as a QR code to scan with the guest's phone, and a Copy button; never as text."""

    def __init__(self, name: str, link: str, copy: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Link for \u201c{name}\u201d").format(name=name))
        layout = QVBoxLayout(self)
        self.code = QLabel(self)
        self.code.setPixmap(QPixmap.fromImage(qr_image(link)))
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.code)
        warning = QLabel(
            self.tr(
                "Whoever scans this code or has this link can join the show as {name}. Show it only "
                "to {name}; New link makes it stop working."
            ).format(name=name),
            self,
        )
        warning.setWordWrap(True)
        warning.setTextFormat(Qt.TextFormat.PlainText)
        warning.setStyleSheet("color: #fa0;")
        layout.addWidget(warning)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton(self.tr("Copy link"), QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class GuestCard(QFrame):
    """One guest: name, state in words and colour, the call's figures, the masked link, the
    buttons and the two settings."""

    def __init__(self, guest_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.guest_id = guest_id
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        top = QHBoxLayout()
        self.name_label = QLabel(self)
        self.name_label.setStyleSheet("font-weight: bold;")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label = QLabel(self)
        self.state_label.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.name_label, 1)
        top.addWidget(self.state_label)
        layout.addLayout(top)
        self.figures_label = QLabel(self)
        self.figures_label.setWordWrap(True)
        self.figures_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.figures_label)
        self.link_label = QLabel(self)
        self.link_label.setTextFormat(Qt.TextFormat.PlainText)
        self.link_label.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.link_label)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        self.copy_button = _no_focus(QPushButton(self.tr("Copy link"), self))
        self.copy_button.setToolTip(self.tr("Put the guest's link on the clipboard, to send it to them"))
        self.qr_button = _no_focus(QPushButton(self.tr("Show QR"), self))
        self.qr_button.setToolTip(self.tr("The link as a QR code, for the guest to scan with a phone"))
        self.new_link_button = _no_focus(QPushButton(self.tr("New link"), self))
        self.new_link_button.setToolTip(self.tr("Make a new link: the old one stops working and whoever joined with it is disconnected"))
        for button in (self.copy_button, self.qr_button, self.new_link_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.program_video_check = _no_focus(QCheckBox(self.tr("May see program video"), self))
        self.program_video_check.setToolTip(self.tr("The guest sees the show as it goes out, besides hearing it"))
        self.audio_processing_check = _no_focus(QCheckBox(self.tr("Browser echo cancellation / noise suppression"), self))
        self.audio_processing_check.setToolTip(
            self.tr("Off for a guest with a good microphone and headphones: their voice is sent untouched")
        )
        layout.addWidget(self.program_video_check)
        layout.addWidget(self.audio_processing_check)
        self.stats = GuestStats()
        self.set_stats(self.stats)

    def set_name(self, name: str) -> None:
        self.name_label.setText(name)

    def set_settings(self, show_program_video: bool, audio_processing: bool) -> None:
        for check, value in ((self.program_video_check, show_program_video), (self.audio_processing_check, audio_processing)):
            check.blockSignals(True)
            check.setChecked(value)
            check.blockSignals(False)

    def set_link(self, shown: str | None, why_not: str = "") -> None:
        """`shown`: the masked link; None when there is none (`why_not` says why)."""
        self.link_label.setText(shown if shown is not None else why_not)
        for button in (self.copy_button, self.qr_button):
            button.setEnabled(shown is not None)

    def set_stats(self, stats: GuestStats) -> None:
        self.stats = stats
        colour = STATE_COLOURS.get(stats.state, "#999")
        self.state_label.setText(f"<span style='color:{colour}'>\u25cf {self.state_text(stats)}</span>")
        self.figures_label.setText(self.figures_text(stats))
        self.figures_label.setVisible(bool(self.figures_label.text()))

    def state_text(self, stats: GuestStats) -> str:
        return {
            GuestState.WAITING: self.tr("Waiting"),
            GuestState.CONNECTING: self.tr("Connecting"),
            GuestState.LIVE: self.tr("Live"),
            GuestState.LOST: self.tr("Lost"),
        }.get(stats.state, str(stats.state))

    def figures_text(self, stats: GuestStats) -> str:
        """The call's figures when live; the reason when lost or left."""
        if stats.state is not GuestState.LIVE:
            return stats.reason
        parts = [
            f"{stats.width}\u00d7{stats.height}",
            self.tr("{fps:.0f} fps").format(fps=stats.fps),
            self.tr("{kbps:.0f} kbps").format(kbps=stats.video_bitrate_kbps),
        ]
        if stats.rtt_ms is not None:
            parts.append(self.tr("RTT {ms:.0f} ms").format(ms=stats.rtt_ms))
        parts.append(self.tr("loss {percent:.1f}%").format(percent=stats.loss_percent))
        if stats.uplink_limited:
            parts.append(self.tr("uplink limited"))
        # A figure never breaks across lines ("loss" on one, "0.3%" on the next); between them may.
        return " \u00b7 ".join(part.replace(" ", "\u00a0") for part in parts)


class GuestsPanel(QWidget):
    error = Signal(str)  # something went wrong; the show goes on (the window's show_problem)
    notice = Signal(str)  # a short confirmation for the status line
    changed = Signal()  # a new link was made: Save must write the new token
    stats_refreshed = Signal(object)  # dict[guest id, GuestStats], once a second (the status bar)
    service_start_finished = Signal(object, str)  # (the settings it was built from, "" or why it failed); from a worker

    def __init__(self, history: EditHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.session = history.session
        self.ask: Callable[[str, str], bool] = self._ask_box  # tests replace it
        self.dialog: GuestQrDialog | None = None  # the QR dialog open now
        self.cards: dict[str, GuestCard] = {}
        self._shown: tuple = ()
        self._stats: dict[str, GuestStats] = {}
        self._service_wanted = False  # the show runs: guests may join (start_service_if_needed)
        self._service_key: GuestServiceSettings | None = None  # what the running service was built from
        self._failed_key: GuestServiceSettings | None = None  # a start failed with these: not retried until they change
        self._starting = False  # a worker thread is starting the service
        self.service_start_finished.connect(self._service_start_finished)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.service_label = QLabel(self)
        self.service_label.setWordWrap(True)
        self.service_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.service_label)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        holder = QWidget(scroll)
        self.cards_layout = QVBoxLayout(holder)
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        self.cards_layout.setSpacing(6)
        self.empty_label = QLabel(self.tr("No guests in this show. Add one, then send them their link."), holder)
        self.empty_label.setWordWrap(True)
        self.cards_layout.addWidget(self.empty_label)
        self.cards_layout.addStretch(1)
        scroll.setWidget(holder)
        layout.addWidget(scroll, 1)
        row = QHBoxLayout()
        self.add_button = _no_focus(QPushButton(self.tr("Add guest"), self))
        self.add_button.setToolTip(self.tr("A new guest with their own link and their voice in the mixer; put them on a scene in Layers"))
        self.add_button.clicked.connect(lambda _checked=False: self.add_guest())
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.timer = QTimer(self)
        self.timer.setInterval(STATS_REFRESH_MS)
        self.timer.timeout.connect(self.refresh_stats)
        self.timer.start()
        history.show_changed.connect(self._on_show_changed)
        self._on_show_changed(self.session.document)

    # -- the cards ------------------------------------------------------------------------------

    def card(self, guest_id: str) -> GuestCard | None:
        return self.cards.get(guest_id)

    def _on_show_changed(self, show: Show) -> None:
        guests = [source for source in show.sources if source.kind == GUEST_KIND]
        shown = tuple(source.id for source in guests)
        if shown != self._shown:
            self._shown = shown
            self._rebuild_cards(shown)
        for source in guests:
            card = self.cards[source.id]
            card.set_name(source.name)
            card.set_settings(bool(source.settings.get("show_program_video", True)), bool(source.settings.get("audio_processing", True)))
        self._ensure_service(show)
        self._update_links()

    def _rebuild_cards(self, guest_ids: tuple[str, ...]) -> None:
        for card in self.cards.values():
            self.cards_layout.removeWidget(card)
            card.deleteLater()
        self.cards = {}
        for index, guest_id in enumerate(guest_ids):
            card = GuestCard(guest_id, self)
            card.copy_button.clicked.connect(lambda _checked=False, g=guest_id: self.copy_link(g))
            card.qr_button.clicked.connect(lambda _checked=False, g=guest_id: self.show_qr(g))
            card.new_link_button.clicked.connect(lambda _checked=False, g=guest_id: self.new_link(g))
            card.program_video_check.toggled.connect(lambda on, g=guest_id: self.set_guest_setting(g, "show_program_video", on))
            card.audio_processing_check.toggled.connect(lambda on, g=guest_id: self.set_guest_setting(g, "audio_processing", on))
            card.set_stats(self._stats.get(guest_id, GuestStats()))
            self.cards_layout.insertWidget(index, card)
            self.cards[guest_id] = card
        self.empty_label.setVisible(not guest_ids)

    def _update_links(self) -> None:
        service = self.session.guest_service
        public_url = self.session.document.guests.public_url
        if public_url:
            self.service_label.setText(self.tr("Guests join through {url}").format(url=public_url))
        elif service is not None and service.lan:
            self.service_label.setText(self.tr("Guests on this network join at {url}").format(url=service.base_url))
        elif service is not None:
            self.service_label.setText(
                self.tr("Guests join at {url}: this computer only. For guests elsewhere: Settings, Guests.").format(url=service.base_url)
            )
        else:
            self.service_label.setText(self.tr("The guest service is not running."))
        for guest_id, card in self.cards.items():
            try:
                card.set_link(masked_link(self.session.guest_link(guest_id)))
            except InputError:
                if service is None and not public_url:
                    card.set_link(None, self.tr("No link while the guest service is not running"))
                else:
                    card.set_link(None, self.tr("No link yet: make one with New link"))

    # -- the state of the calls ------------------------------------------------------------------

    def refresh_stats(self) -> None:
        """Each guest's state and figures (the timer's tick; tests call it)."""
        self._stats = self.session.guest_stats()
        for guest_id, card in self.cards.items():
            card.set_stats(self._stats.get(guest_id, GuestStats()))
        self.stats_refreshed.emit(self._stats)
        if self._service_wanted:  # a restart that waited for the guests to leave
            self._ensure_service(self.session.document)

    def guests_in_call(self) -> list[str]:
        return [guest_id for guest_id, stats in self._stats.items() if stats.state in IN_CALL]

    # -- the guest service -------------------------------------------------------------------------

    def start_service_if_needed(self) -> None:
        """The show runs: start the guest service if it has guests (the window calls this once
        its engine is up; afterwards a guest added later starts it too)."""
        self._service_wanted = True
        self._ensure_service(self.session.document)
        self._update_links()

    def _ensure_service(self, show: Show) -> None:
        if not self._service_wanted or not any(source.kind == GUEST_KIND for source in show.sources):
            return
        wanted = service_key(show.guests)
        running = self.session.guest_service
        if running is not None:
            if self._service_key is None:
                self._service_key = wanted  # started by someone else: taken as it is
            if wanted == self._service_key:
                return
            if self.guests_in_call():
                return  # never hang up a call for a setting; refresh_stats tries again
            self._stop_service()
        if wanted == self._failed_key or self._starting:
            return
        # Off the GUI thread: the first start imports aiortc and binds the port (about a second on
        # a busy laptop), which would freeze the monitors. The result comes back as a signal.
        self._starting = True
        threading.Thread(target=self._start_service, args=(wanted, show.guests.port), name="guest-service-start", daemon=True).start()

    def _start_service(self, wanted: GuestServiceSettings, port: int) -> None:
        """Worker thread: start the service; the outcome goes to the GUI thread."""
        try:
            self.session.start_guest_service()
        except Exception as error:  # a port in use must never keep the show from running
            self.service_start_finished.emit(wanted, self.tr("Guests: cannot listen on port {port}: {reason}").format(port=port, reason=error))
        else:
            self.service_start_finished.emit(wanted, "")

    def _service_start_finished(self, wanted: GuestServiceSettings, problem: str) -> None:
        self._starting = False
        if problem:
            self._failed_key = wanted
            self.error.emit(problem)
        else:
            self._service_key, self._failed_key = wanted, None
        self._update_links()
        self._ensure_service(self.session.document)  # the settings may have changed meanwhile

    def _stop_service(self) -> None:
        self._service_key = None
        try:
            self.session.stop_guest_service()
        except Exception:  # noqa: BLE001 - the new one may still start on another port
            log.exception("stopping the guest service failed")

    # -- what the host does --------------------------------------------------------------------------

    def _name(self, guest_id: str) -> str:
        card = self.cards.get(guest_id)
        return card.name_label.text() if card is not None else guest_id

    def _link(self, guest_id: str) -> str | None:
        try:
            return self.session.guest_link(guest_id)
        except InputError as error:
            self.error.emit(str(error))
            return None

    def copy_link(self, guest_id: str) -> bool:
        """The guest's link (with their token) to the clipboard."""
        link = self._link(guest_id)
        if link is None:
            return False
        QApplication.clipboard().setText(link)
        name = self._name(guest_id)
        self.notice.emit(self.tr("Link for \u201c{name}\u201d copied: send it to {name} only").format(name=name))
        return True

    def show_qr(self, guest_id: str) -> GuestQrDialog | None:
        link = self._link(guest_id)
        if link is None:
            return None
        dialog = GuestQrDialog(self._name(guest_id), link, lambda: self.copy_link(guest_id), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None) if self.dialog is dialog else None)
        dialog.open()
        return dialog

    def new_link(self, guest_id: str) -> bool:
        """A new token for the guest (asks first): their old link stops working at once and
        whoever joined with it is disconnected. Not an undo step: undoing it would bring back a
        link the host meant to revoke."""
        name = self._name(guest_id)
        question = self.tr(
            "Make a new link for \u201c{name}\u201d? The old link stops working, and if {name} is in the call they are disconnected."
        ).format(name=name)
        if not self.ask(self.tr("New link"), question):
            return False
        before = self.session.source(guest_id).settings.get("token")
        try:
            self.session.revoke_guest_link(guest_id)
        except InputError as error:
            if self.session.source(guest_id).settings.get("token") == before:
                self.error.emit(str(error))
                return False
            # The token changed; only the link could not be made (the service is not running).
        self.changed.emit()
        self._update_links()
        self.notice.emit(self.tr("New link for \u201c{name}\u201d: the old one no longer works").format(name=name))
        return True

    def set_guest_setting(self, guest_id: str, field: str, value: bool) -> bool:
        """One of the guest's settings (show_program_video, audio_processing), as an undo step."""
        session = self.session

        def edit():
            settings = dict(session.source(guest_id).settings)  # the token stays as it is
            settings[field] = value
            return session.update_source(guest_id, settings=settings)

        labels = {"show_program_video": self.tr("May see program video"), "audio_processing": self.tr("Browser echo cancellation")}
        done = self.history.run(labels.get(field, field), edit, tell=lambda _title, message: self.error.emit(message))
        if not done:
            self._on_show_changed(session.document)  # the check box goes back
        return done

    def add_guest(self) -> str | None:
        """A new guest source with its own link, and their voice as a mixer input, as one undo
        step; putting them on a scene is left to the host (Layers)."""
        session = self.session
        show = session.show
        taken = [source.name for source in show.sources]
        name = default_name(GUEST_KIND, taken, sum(1 for source in show.sources if source.kind == GUEST_KIND))
        edit = lambda: add_guest_with_voice(session, name).id  # noqa: E731
        if not self.history.run(self.tr("Add guest"), edit, tell=lambda _title, message: self.error.emit(message)):
            return None
        guest_id = self.history.last_result
        self.notice.emit(self.tr("\u201c{name}\u201d added: copy their link, and put them on a scene in Layers").format(name=name))
        return guest_id

    def _ask_box(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton
        return QMessageBox.question(self, title, text, buttons.Yes | buttons.No, buttons.No) == buttons.Yes


__all__ = ["GuestCard", "GuestQrDialog", "GuestsPanel", "masked_link", "qr_image"]
