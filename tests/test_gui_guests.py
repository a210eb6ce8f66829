"""The Guests dock (连麦) and the guest settings in the app (pytest-qt, offscreen), on a real
StudioSession running the demo show (which has guest-1) on a stepped clock, with the real guest
service on a free port. A guest's call is played by the engine's real GuestFeed, driven as the
service drives it (session_started, media_started, update_stats...).

A token must never be drawn: every widget's text is searched for it.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import cv2
import numpy as np
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)

from studio.app import build_engine
from studio.engine.builtin_shows import builtin_show
from studio.engine.clock import SteppedClock
from studio.engine.guest_settings import GuestServiceSettings, IceServer
from studio.engine.show import Show
from studio.engine.sources.guest_feed import GuestStats
from studio.gui.add_source_dialog import AddSourceDialog, SourcePropertiesDialog
from studio.gui.guest_settings_tab import CREDENTIAL_COLUMN, CREDENTIAL_MASK
from studio.gui.guests_panel import LINK_MASK, GuestsPanel
from studio.gui.main_window import MainWindow
from studio.gui.preferences import Preferences, PreferencesStore
from studio.gui.settings_dialog import SettingsDialog
from studio.gui.status_bar import StudioStatusBar
from studio.gui.undo import EditHistory
from studio.session import SessionOptions, StudioSession

WAIT_MS = 10_000
MAX_COLUMNS = 16


def demo_show(**guests) -> Show:
    show = builtin_show("demo")
    return show.model_copy(update={"guests": GuestServiceSettings(port=0, **guests)})


def stepped_engine(show: Show):
    return build_engine(show, clock=SteppedClock())  # no tick runs unless a test allows it: no CPU burnt


def token_of(session: StudioSession, guest_id: str = "guest-1") -> str:
    return session.source(guest_id).settings["token"]


def every_widget_text() -> list[str]:
    """Everything drawn as text by any widget of the app: labels, buttons, fields, tooltips,
    titles, list and table cells."""
    texts: list[str] = []
    for widget in QApplication.allWidgets():
        texts += [widget.toolTip(), widget.windowTitle(), widget.accessibleName(), widget.statusTip()]
        if isinstance(widget, (QLabel, QAbstractButton, QLineEdit)):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, (QTextEdit, QPlainTextEdit)):
            texts.append(widget.toPlainText())
        if isinstance(widget, QComboBox):
            texts += [widget.itemText(index) for index in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            root = widget.rootIndex()
            for row in range(model.rowCount(root)):
                for column in range(MAX_COLUMNS):  # columnCount() is private in list models
                    index = model.index(row, column, root)
                    if not index.isValid():
                        break
                    texts += [str(model.data(index) or ""), str(model.data(index, 3) or "")]  # 3: ToolTipRole
    return texts


def assert_token_not_drawn(token: str) -> None:
    assert token
    drawn = [text for text in every_widget_text() if token in text]
    assert drawn == [], "the guest's token is drawn on screen"


@dataclass
class GuestDesk:
    session: StudioSession
    history: EditHistory
    panel: GuestsPanel
    asked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    answer: bool = True

    def ask(self, _title: str, text: str) -> bool:
        self.asked.append(text)
        return self.answer

    @property
    def feed(self):
        return self.session.engine.guest_feed("guest-1")


@pytest.fixture
def desk(qtbot, request) -> GuestDesk:
    session = StudioSession(demo_show(), SessionOptions(build_engine=stepped_engine))
    session.start()
    request.addfinalizer(session.stop)
    history = EditHistory(session)
    panel = GuestsPanel(history)
    qtbot.addWidget(panel)
    desk = GuestDesk(session, history, panel)
    history.tell = lambda _title, text: desk.errors.append(text)
    panel.ask = desk.ask
    panel.error.connect(desk.errors.append)
    panel.notice.connect(desk.notices.append)
    panel.resize(360, 520)
    panel.show()
    panel.start_service_if_needed()  # on a worker thread: the GUI never waits for it
    qtbot.waitUntil(lambda: session.guest_service is not None and panel.card("guest-1").copy_button.isEnabled(), timeout=WAIT_MS)
    return desk


def decode_qr(image: QImage) -> str:
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.array(grey.constBits(), dtype=np.uint8).reshape(grey.height(), grey.bytesPerLine())[:, : grey.width()]
    pixels = np.ascontiguousarray(pixels)
    # OpenCV's classic detector misses a few perfectly clean codes (it depends on the pattern
    # the random token makes): the ArUco-based detector and a second scale are tried as well,
    # as a phone's scanner would keep trying. A code none of them reads fails the test.
    detectors = [cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()]
    for scaled in (pixels, cv2.resize(pixels, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)):
        for detector in detectors:
            decoded, _points, _code = detector.detectAndDecode(scaled)
            if decoded:
                return decoded
    return ""


def get_config(link: str) -> int:
    """The HTTP status the guest page's config request gets with the token of `link`."""
    base, _, token = link.partition("#")
    request = urllib.request.Request(f"{base}/config", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# -- the app --------------------------------------------------------------------------------------


def open_window(qtbot, tmp_path, show: Show) -> MainWindow:
    store = PreferencesStore(tmp_path / "config")
    store.save(Preferences(recording_folder=str(tmp_path / "recordings"), remote_enabled=False))
    window = MainWindow(show=show, show_path=None, build_engine=stepped_engine, preferences_store=store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.host.engine is not None, timeout=WAIT_MS)
    return window


def close_window(window: MainWindow) -> None:
    window._close_confirmed = True
    window.host.stop()
    window.host.wait_idle()
    window.close()


def test_the_app_starts_the_guest_service_and_docks_the_guests_beside_the_comments(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, demo_show())
    try:
        qtbot.waitUntil(lambda: window.guests_panel.card("guest-1").copy_button.isEnabled(), timeout=WAIT_MS)
        service = window.session.guest_service
        assert service is not None and service.port != 0  # show.guests.port 0: a free port was picked
        assert window.guests_dock in window.tabifiedDockWidgets(window.comments_dock)
        card = window.guests_panel.card("guest-1")
        assert card is not None and card.name_label.text() == "Guest 1"
        assert "Waiting" in card.state_label.text()
        assert card.link_label.text() == f"{service.base_url}/guest/guest-1#{LINK_MASK}"
        window.guests_panel.refresh_stats()
        assert "Guests 0/1 live" in window.status.guests_label.text()
        assert_token_not_drawn(token_of(window.session))
    finally:
        close_window(window)
    assert window.session.guest_service is None  # stopped with the session


def test_a_taken_port_is_reported_in_the_status_bar_and_the_show_goes_on(qtbot, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        show = builtin_show("demo").model_copy(update={"guests": GuestServiceSettings(port=port)})
        window = open_window(qtbot, tmp_path, show)
        try:
            panel = window.guests_panel
            qtbot.waitUntil(lambda: "Guests: cannot listen" in window.status.currentMessage(), timeout=WAIT_MS)
            message = window.status.currentMessage()
            assert f"Guests: cannot listen on port {port}" in message and "in use" in message
            errors: list[str] = []
            panel.error.connect(errors.append)
            panel.refresh_stats()  # not tried again while the settings stay the same
            assert errors == [] and window.session.guest_service is None and window.host.engine is not None
            assert "not running" in panel.service_label.text()
            assert not panel.card("guest-1").copy_button.isEnabled()
        finally:
            close_window(window)


# -- the links ------------------------------------------------------------------------------------


def test_copy_link_puts_the_link_with_its_token_on_the_clipboard(desk, qtbot):
    card = desk.panel.card("guest-1")
    QApplication.clipboard().clear()
    card.copy_button.click()
    link = QApplication.clipboard().text()
    assert link == desk.session.guest_link("guest-1")
    assert link.endswith("#" + token_of(desk.session))
    assert get_config(link) == 200  # the copied link lets the guest in
    assert desk.notices and "Guest 1" in desk.notices[-1]
    assert_token_not_drawn(token_of(desk.session))


def test_new_link_asks_first_then_changes_the_token_and_the_old_link_stops_working(desk):
    old_link, old_token = desk.session.guest_link("guest-1"), token_of(desk.session)
    desk.answer = False
    desk.panel.card("guest-1").new_link_button.click()
    assert len(desk.asked) == 1 and "Guest 1" in desk.asked[0]
    assert token_of(desk.session) == old_token  # said no: nothing changed
    desk.answer = True
    dirty: list[bool] = []
    desk.panel.changed.connect(lambda: dirty.append(True))
    desk.panel.card("guest-1").new_link_button.click()
    new_link = desk.session.guest_link("guest-1")
    assert token_of(desk.session) != old_token and new_link != old_link
    assert dirty == [True]  # Save must write the new token
    assert not desk.history.stack.canUndo()  # not an undo step: undo must not bring the old link back
    assert get_config(old_link) == 401 and get_config(new_link) == 200
    assert_token_not_drawn(token_of(desk.session))
    assert_token_not_drawn(old_token)


def test_show_qr_draws_the_current_link_as_a_code_with_a_warning_and_copies_it(desk, qtbot):
    dialog = desk.panel.show_qr("guest-1")
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    link = desk.session.guest_link("guest-1")
    assert decode_qr(dialog.code.pixmap().toImage()) == link  # a phone scanning it gets the link
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("can join the show as Guest 1" in text for text in texts)
    assert_token_not_drawn(token_of(desk.session))
    QApplication.clipboard().clear()
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == link
    dialog.reject()


# -- the guest's settings ---------------------------------------------------------------------------


def test_the_check_boxes_change_the_guests_settings_keep_the_token_and_undo(desk):
    token = token_of(desk.session)
    card = desk.panel.card("guest-1")
    assert card.program_video_check.isChecked() and card.audio_processing_check.isChecked()
    card.program_video_check.click()
    assert desk.session.source("guest-1").settings["show_program_video"] is False
    card.audio_processing_check.click()
    settings = desk.session.source("guest-1").settings
    assert settings["audio_processing"] is False and settings["token"] == token
    # What the service tells the guest's page follows at once.
    access = desk.session.guest_service._host.guest_access("guest-1")
    assert (access.show_program_video, access.audio_processing) == (False, False)
    desk.history.undo()
    assert desk.session.source("guest-1").settings.get("audio_processing", True) is True
    assert card.audio_processing_check.isChecked() and not card.program_video_check.isChecked()
    assert desk.errors == []


def test_add_guest_adds_a_source_with_its_own_link_and_its_voice_in_the_mixer(desk):
    scenes_before = desk.session.show.scenes
    guest_id = desk.panel.add_guest()
    session = desk.session
    assert guest_id in session.guest_ids() and session.source(guest_id).name == "Guest 2"
    assert len(token_of(session, guest_id)) >= 16 and token_of(session, guest_id) != token_of(session)
    voice = [a for a in session.show.audio_inputs if a.kind.value == "source_audio" and a.source == guest_id]
    assert [a.name for a in voice] == ["Guest 2 voice"]
    assert session.show.scenes == scenes_before  # scenes are the host's to edit
    card = desk.panel.card(guest_id)
    assert card is not None and card.name_label.text() == "Guest 2" and card.copy_button.isEnabled()
    desk.history.undo()  # one step: the guest and their voice go together
    assert guest_id not in session.guest_ids()
    assert not any(a.source == guest_id for a in session.show.audio_inputs)
    assert desk.panel.card(guest_id) is None


def test_the_add_and_properties_dialogs_never_show_a_guests_token(desk, qtbot):
    add = AddSourceDialog(desk.history, "guest")
    qtbot.addWidget(add)
    assert "token" not in add.form.field_names and "max_video_bitrate_kbps" in add.form.field_names
    add.accept()
    new_id = add.added_id
    assert new_id in desk.session.guest_ids() and len(token_of(desk.session, new_id)) >= 16
    assert any(a.source == new_id for a in desk.session.show.audio_inputs)  # their voice is in the mixer
    token = token_of(desk.session)
    properties = SourcePropertiesDialog(desk.history, "guest-1")
    qtbot.addWidget(properties)
    properties.show()
    assert "token" not in properties.form.field_names
    assert_token_not_drawn(token)
    properties.form.set_value("max_fps", 25)
    properties.accept()
    settings = desk.session.source("guest-1").settings
    assert settings["max_fps"] == 25 and settings["token"] == token  # the hidden token is kept as it was


# -- the state of a call ------------------------------------------------------------------------------


def test_each_state_in_words_and_colour_with_the_figures_of_a_live_call(desk):
    card, feed = desk.panel.card("guest-1"), desk.feed
    generation = feed.session_started("browser")
    desk.panel.refresh_stats()
    assert "Connecting" in card.state_label.text() and "#f0b400" in card.state_label.text()
    feed.media_started(generation, carries_audio=True)
    feed.update_stats(
        generation,
        GuestStats(video_bitrate_kbps=1480, fps=29.7, width=1280, height=720, rtt_ms=38, loss_percent=0.4, uplink_limited=True),
    )
    desk.panel.refresh_stats()
    assert "Live" in card.state_label.text() and "#3c3" in card.state_label.text()
    figures = card.figures_label.text().replace("\u00a0", " ")  # each figure kept on one line
    for part in ("1280\u00d7720", "30 fps", "1480 kbps", "RTT 38 ms", "loss 0.4%", "uplink limited"):
        assert part in figures
    assert desk.panel.guests_in_call() == ["guest-1"]
    feed.mark_quiet(generation, "no media for 2 s")
    desk.panel.refresh_stats()
    assert "Lost" in card.state_label.text() and "#f44" in card.state_label.text()
    assert card.figures_label.text() == "no media for 2 s"
    feed.session_ended(generation, "left", lost=False)
    desk.panel.refresh_stats()
    assert "Waiting" in card.state_label.text() and card.figures_label.text() == "left"


def test_the_status_bar_counts_live_and_lost_guests(qtbot):
    bar = StudioStatusBar()
    qtbot.addWidget(bar)
    bar.update_guests({})
    assert bar.guests_label.text() == ""
    bar.update_guests({"a": GuestStats(state="live"), "b": GuestStats(state="lost"), "c": GuestStats()})
    assert "Guests 1/3 live, 1 lost" in bar.guests_label.text() and "#f44" in bar.guests_label.text()


def test_new_service_settings_restart_the_service_only_once_nobody_is_in_a_call(desk, qtbot):
    first = desk.session.guest_service
    feed = desk.feed
    generation = feed.session_started("browser")
    feed.media_started(generation, carries_audio=True)
    desk.panel.refresh_stats()
    stun = IceServer(urls=["stun:stun.example.com:3478"])
    desk.session.set_document(desk.session.document.model_copy(update={"guests": GuestServiceSettings(port=0, ice_servers=[stun])}))
    assert desk.session.guest_service is first  # a guest is live: the call is not cut for a setting
    feed.session_ended(generation, "left", lost=False)
    desk.panel.refresh_stats()
    qtbot.waitUntil(lambda: desk.session.guest_service not in (None, first) and not desk.panel._starting, timeout=WAIT_MS)
    second = desk.session.guest_service
    assert second is not None and second is not first
    assert get_config(desk.session.guest_link("guest-1")) == 200
    assert desk.errors == []


# -- settings ---------------------------------------------------------------------------------------


def test_the_guests_settings_tab_edits_show_guests_without_a_restart(qtbot):
    show = demo_show()
    dialog = SettingsDialog(show, Preferences())
    qtbot.addWidget(dialog)
    tab = dialog.guests_settings
    tab.port_spin.setValue(8800)
    tab.lan_check.setChecked(True)
    tab.public_url_edit.setText("https://guests.example.com/")
    tab.add_server("turn:turn.example.com:3478 turns:turn.example.com:443", "studio", "s3cret-credential")
    assert tab.servers_table.itemDelegateForColumn(CREDENTIAL_COLUMN).displayText("s3cret-credential", None) == CREDENTIAL_MASK
    assert dialog.try_accept()
    guests = dialog.result_show().guests
    assert (guests.port, guests.listen_on_lan, guests.public_url) == (8800, True, "https://guests.example.com")
    assert guests.ice_servers[0].urls == ["turn:turn.example.com:3478", "turns:turn.example.com:443"]
    assert guests.ice_servers[0].credential.get_secret_value() == "s3cret-credential"
    assert not dialog.needs_restart()  # the guest service follows by itself; the engine stays
    assert dialog.result_show().sources == show.sources  # the guests' tokens kept through the Cameras tab


def test_a_bad_public_url_or_server_is_refused_naming_the_field(qtbot):
    dialog = SettingsDialog(demo_show(), Preferences())
    qtbot.addWidget(dialog)
    tab = dialog.guests_settings
    tab.public_url_edit.setText("http://guests.example.com")
    assert not dialog.try_accept()
    assert "guests.public_url" in dialog.error_label.text() and "https://" in dialog.error_label.text()
    assert dialog.tabs.currentWidget() is dialog.guests_tab
    tab.public_url_edit.clear()
    tab.add_server("http://turn.example.com")
    assert not dialog.try_accept()
    assert "guests.ice_servers[0].urls" in dialog.error_label.text()


def test_the_settings_dialog_never_shows_a_guests_token(qtbot):
    show = demo_show()
    dialog = SettingsDialog(show, Preferences())
    qtbot.addWidget(dialog)
    dialog.show()
    assert "token" not in dialog.source_forms["guest-1"].field_names
    assert_token_not_drawn(show.sources[-1].settings["token"])
