"""Settings, Destinations: SRT settings (the group shown for srt:// URLs), WHIP's bearer token,
secrets kept out of messages and logs, the canvas each destination receives, and SRT's own
figures in the status bar."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from studio.engine.outputs.srt_sender import MIN_DEFAULT_LATENCY_MS
from studio.engine.builtin_shows import builtin_show, demo_show_data
from studio.engine.destination_settings import SrtMode, SrtSettings
from studio.engine.events import ProgramStats
from studio.engine.outputs.srt_link import SrtLinkStats
from studio.engine.outputs.stream import DestinationStats, OutputState
from studio.engine.outputs.stream_target import StreamKind
from studio.engine.show import DestinationSpec, load_show, parse_show, save_show
from studio.gui.preferences import Preferences
from studio.gui.settings_dialog import SettingsDialog
from studio.gui.srt_settings_group import CUSTOM_FEC
from studio.gui.status_bar import StudioStatusBar
from tests.test_gui_settings import select_data

STREAM_ID = "#!::r=live/shop,m=publish"
PASSPHRASE = "correct-horse-battery"
TOKEN = "whip-bearer-token-42"
NS_PER_SECOND = 1_000_000_000


@pytest.fixture
def preferences(tmp_path):
    return Preferences(language="en", recording_folder=str(tmp_path / "recordings"))


@pytest.fixture
def dialog(qtbot, preferences):
    dialog = SettingsDialog(builtin_show("demo"), preferences)
    qtbot.addWidget(dialog)
    return dialog


def add_destination(qtbot, dialog: SettingsDialog, url: str, key: str, name: str) -> None:
    dialog.tabs.setCurrentWidget(dialog.destinations_tab)
    qtbot.mouseClick(dialog.add_destination_button, Qt.MouseButton.LeftButton)
    dialog.destination_name_edit.setText(name)
    select_data(dialog.destination_preset_combo, "custom")
    dialog.destination_url_edit.setText(url)
    dialog.stream_key_edit.setText(key)


def fill_srt(dialog: SettingsDialog) -> None:
    group = dialog.srt_group
    group.latency_spin.setValue(480)
    group.overhead_spin.setValue(40)
    group.max_bandwidth_spin.setValue(9000)
    select_data(group.fec_combo, "fec,cols:10,rows:5")
    group.passphrase_edit.setText(PASSPHRASE)
    select_data(group.key_length_combo, 32)
    select_data(group.mode_combo, "listener")


def visible_texts(dialog: SettingsDialog) -> str:
    texts = [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
    texts += [dialog.destination_list.item(row).text() for row in range(dialog.destination_list.count())]
    return "\n".join(texts)


def test_srt_settings_are_saved_into_the_show_and_its_url(qtbot, dialog, preferences, tmp_path):
    dialog.show()
    add_destination(qtbot, dialog, "srt://127.0.0.1:9000", STREAM_ID, "Relay")
    assert dialog.srt_group.isVisible()
    assert dialog.stream_key_label.text() == "Stream ID:"
    fill_srt(dialog)
    assert dialog.try_accept(), dialog.error_label.text()

    path = tmp_path / "show.json"
    save_show(dialog.result_show(), path)
    [destination] = load_show(path).destinations
    assert destination.srt.latency_ms == 480
    assert destination.srt.overhead_percent == 40
    assert destination.srt.max_bandwidth_kbps == 9000
    assert destination.srt.fec == "fec,cols:10,rows:5"
    assert destination.srt.passphrase.get_secret_value() == PASSPHRASE
    assert destination.srt.key_length == 32
    assert destination.srt.mode is SrtMode.LISTENER
    target = destination.target()
    assert target.kind is StreamKind.SRT
    query = parse_qs(urlsplit(target.url).query)
    assert query["latency"] == ["480000"]  # microseconds, as libsrt takes it
    assert query["oheadbw"] == ["40"]
    assert query["maxbw"] == [str(9000 * 1000 // 8)]  # bytes per second
    assert query["packetfilter"] == ["fec,cols:10,rows:5"]
    assert query["passphrase"] == [PASSPHRASE] and query["pbkeylen"] == ["32"]
    assert query["mode"] == ["listener"] and query["streamid"] == [STREAM_ID]

    # Opened again, the dialog shows them back, passphrase masked.
    again = SettingsDialog(load_show(path), preferences)
    qtbot.addWidget(again)
    group = again.srt_group
    assert group.latency_spin.number() == 480 and group.overhead_spin.number() == 40
    assert group.max_bandwidth_spin.number() == 9000
    assert group.fec_combo.currentData() == "fec,cols:10,rows:5" and group.fec_edit.isHidden()
    assert group.key_length_combo.currentData() == 32 and group.mode_combo.currentData() == "listener"
    assert group.passphrase_edit.echoMode() == group.passphrase_edit.EchoMode.Password
    assert group.passphrase_edit.text() == PASSPHRASE


def test_a_new_srt_destination_starts_from_the_models_defaults(qtbot, dialog):
    add_destination(qtbot, dialog, "srt://relay.example.com:9000", "", "Relay")
    defaults = SrtSettings()
    group = dialog.srt_group
    assert group.latency_spin.number() == defaults.latency_ms
    assert group.overhead_spin.number() == defaults.overhead_percent
    assert group.max_bandwidth_spin.number() == defaults.max_bandwidth_kbps
    assert group.mode_combo.currentData() == defaults.mode.value
    assert group.key_length_combo.currentData() == defaults.key_length
    assert group.latency_spin.suffix() == " ms" and group.max_bandwidth_spin.suffix() == " kbps"
    assert dialog.try_accept(), dialog.error_label.text()
    assert dialog.result_show().destinations[0].srt == defaults


def test_auto_steps_to_a_sensible_latency_and_back(qtbot, dialog):
    add_destination(qtbot, dialog, "srt://relay.example.com:9000", "", "Relay")
    spin = dialog.srt_group.latency_spin
    spin.set_number(None)
    assert spin.text().startswith("Auto")
    spin.stepBy(1)
    assert spin.number() == MIN_DEFAULT_LATENCY_MS  # Auto's floor, not the model's bare minimum
    lowest = spin.minimum() + 1
    spin.setValue(lowest)
    spin.stepBy(-1)
    assert spin.number() is None


def test_the_srt_group_shows_only_for_srt_urls(qtbot, dialog):
    dialog.show()
    add_destination(qtbot, dialog, "rtmp://127.0.0.1:1935/live", "key-1", "Douyin")
    assert not dialog.srt_group.isVisible()
    assert dialog.stream_key_label.text() == "Stream key:"
    dialog.destination_url_edit.setText("srt://127.0.0.1:9000")
    assert dialog.srt_group.isVisible()
    fill_srt(dialog)
    # Back to RTMP: the group hides, and the show keeps no SRT settings (no passphrase) for it.
    dialog.destination_url_edit.setText("rtmp://127.0.0.1:1935/live")
    assert not dialog.srt_group.isVisible()
    assert dialog.try_accept(), dialog.error_label.text()
    assert dialog.result_show().destinations[0].srt == SrtSettings()
    # A preset platform is RTMP too.
    add_destination(qtbot, dialog, "", "key-2", "YouTube")
    select_data(dialog.destination_preset_combo, "youtube")
    assert not dialog.srt_group.isVisible() and dialog.stream_key_label.text() == "Stream key:"


def test_a_short_passphrase_refuses_ok_without_quoting_it(qtbot, dialog, caplog):
    caplog.set_level(logging.DEBUG)
    dialog.show()
    add_destination(qtbot, dialog, "srt://127.0.0.1:9000", STREAM_ID, "Shop relay")
    short = "tiny-pass"  # 9 characters: libsrt wants 10 to 79
    dialog.srt_group.passphrase_edit.setText(short)
    # Another destination is shown when OK is pressed: the dialog goes back to the bad one.
    add_destination(qtbot, dialog, "rtmp://127.0.0.1/live", "key", "Other")
    assert not dialog.try_accept()
    message = dialog.error_label.text()
    assert "Shop relay" in message and "passphrase" in message and "10 to 79" in message
    assert short not in message and STREAM_ID not in message
    assert dialog.destination_name_edit.text() == "Shop relay"
    assert dialog.tabs.currentWidget() is dialog.destinations_tab
    assert dialog.focusWidget() is dialog.srt_group.passphrase_edit
    assert short not in visible_texts(dialog) and short not in caplog.text
    dialog.srt_group.passphrase_edit.setText(short + "-longer")
    assert dialog.try_accept(), dialog.error_label.text()


def test_custom_fec_text(qtbot, dialog):
    dialog.show()
    add_destination(qtbot, dialog, "srt://127.0.0.1:9000", "", "Relay")
    group = dialog.srt_group
    assert group.fec_edit.isHidden()
    select_data(group.fec_combo, CUSTOM_FEC)
    assert group.fec_edit.isVisible()
    group.fec_edit.setText("cols:10")
    assert not dialog.try_accept()
    assert "Relay" in dialog.error_label.text() and "error correction" in dialog.error_label.text()
    assert dialog.focusWidget() is group.fec_edit
    group.fec_edit.setText("fec,cols:8,rows:-4,layout:staircase")
    assert dialog.try_accept(), dialog.error_label.text()
    assert dialog.result_show().destinations[0].srt.fec == "fec,cols:8,rows:-4,layout:staircase"


def test_a_whip_url_takes_a_bearer_token(qtbot, dialog, caplog):
    caplog.set_level(logging.DEBUG)
    add_destination(qtbot, dialog, "https://whip.example.com/rtc/v1/whip/?app=live", TOKEN, "WHIP relay")
    assert dialog.stream_key_label.text() == "Bearer token:"
    assert dialog.srt_group.isHidden()
    assert "https://" in dialog.destination_url_edit.placeholderText()
    assert dialog.try_accept(), dialog.error_label.text()
    target = dialog.result_show().destinations[0].target()
    assert target.kind is StreamKind.WHIP
    assert target.bearer_token == TOKEN and TOKEN not in target.url
    assert TOKEN not in repr(target) and TOKEN not in caplog.text


def canvas_choices(dialog: SettingsDialog) -> list[tuple[str, str]]:
    combo = dialog.destination_canvas_combo
    return [(combo.itemData(index), combo.itemText(index)) for index in range(combo.count())]


def test_a_destination_can_receive_the_vertical_canvas(qtbot, dialog, preferences, tmp_path):
    dialog.show()
    add_destination(qtbot, dialog, "rtmp://127.0.0.1:1935/live", "key-1", "Douyin")
    assert dialog.destination_canvas_combo.isVisible()
    assert dialog.destination_canvas_combo.currentData() == "main"  # a new destination starts on main
    select_data(dialog.destination_canvas_combo, "vertical")
    add_destination(qtbot, dialog, "rtmp://127.0.0.1:1935/shop", "key-2", "Shop page")
    assert dialog.destination_canvas_combo.currentData() == "main"
    dialog.destination_list.setCurrentRow(0)
    assert dialog.destination_canvas_combo.currentData() == "vertical"  # each keeps its own
    assert dialog.try_accept(), dialog.error_label.text()
    douyin, shop = dialog.result_show().destinations
    assert (douyin.name, douyin.canvas) == ("Douyin", "vertical")
    assert (shop.name, shop.canvas) == ("Shop page", "main")
    assert not dialog.needs_restart()

    # Saved and opened again, the picker shows it back.
    path = tmp_path / "show.json"
    save_show(dialog.result_show(), path)
    assert [d.canvas for d in load_show(path).destinations] == ["vertical", "main"]
    again = SettingsDialog(load_show(path), preferences)
    qtbot.addWidget(again)
    assert again.destination_canvas_combo.currentData() == "vertical"


def test_the_canvas_picker_lists_main_and_the_shows_canvases(qtbot, preferences):
    data = demo_show_data()
    data["canvases"] = {"vertical": {"width": 720, "height": 1280}, "square": {"width": 1080, "height": 1080}}
    data["destinations"] = [{"id": "dest-1", "name": "One", "url": "rtmp://127.0.0.1/live", "stream_key": "k1"}]
    dialog = SettingsDialog(parse_show(data), preferences)
    qtbot.addWidget(dialog)
    assert canvas_choices(dialog) == [
        ("main", "main (1920x1080)"),
        ("vertical", "vertical (720x1280)"),
        ("square", "square (1080x1080)"),
    ]
    # The main canvas's size follows the Video tab.
    select_data(dialog.canvas_preset_combo, "1280x720")
    assert canvas_choices(dialog)[0] == ("main", "main (1280x720)")

    # A show with the main canvas only: nothing to choose, the picker is not shown.
    data["canvases"] = {}
    plain = SettingsDialog(parse_show(data), preferences)
    qtbot.addWidget(plain)
    plain.show()
    plain.tabs.setCurrentWidget(plain.destinations_tab)
    assert plain.destination_name_edit.isVisible()
    assert canvas_choices(plain) == [("main", "main (1920x1080)")]
    assert plain.destination_canvas_combo.isHidden()
    assert plain.try_accept(), plain.error_label.text()
    assert plain.result_show().destinations[0].canvas == "main"


def test_a_canvas_the_show_no_longer_has_is_shown_as_unknown_and_kept(qtbot, preferences):
    show = builtin_show("demo")
    # As the dialog may be handed it: a destination naming a canvas taken out of the show.
    show.destinations.append(DestinationSpec(id="dest-1", name="Douyin", url="rtmp://127.0.0.1/live", canvas="square"))
    dialog = SettingsDialog(show, preferences)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.destinations_tab)
    assert canvas_choices(dialog)[-1] == ("square", "square (unknown canvas)")
    assert dialog.destination_canvas_combo.currentData() == "square" and dialog.destination_canvas_combo.isVisible()
    dialog.destination_name_edit.setText("Douyin vertical")  # other edits keep it too
    dialog.tabs.setCurrentWidget(dialog.general_tab)
    assert not dialog.try_accept()
    message = dialog.error_label.text()
    assert "Douyin vertical" in message and "unknown canvas 'square'" in message and "vertical" in message
    assert dialog.tabs.currentWidget() is dialog.destinations_tab
    assert dialog.focusWidget() is dialog.destination_canvas_combo
    select_data(dialog.destination_canvas_combo, "vertical")
    assert dialog.try_accept(), dialog.error_label.text()
    assert dialog.result_show().destinations[0].canvas == "vertical"


def test_the_status_bar_shows_each_destinations_kind_and_srt_figures(qtbot):
    bar = StudioStatusBar()
    qtbot.addWidget(bar)
    link = SrtLinkStats(
        rtt_ms=32.4, retransmitted_packets=17, dropped_packets=3, send_buffer_ms=180, bandwidth_kbps=12000, latency_ms=480
    )
    srt = DestinationStats(name="Relay", url="srt://x:9000?****", state=OutputState.LIVE, bitrate_kbps=5980, kind="srt", srt=link)
    rtmp = DestinationStats(name="Douyin", url="rtmp://x/live/****", state=OutputState.LIVE, bitrate_kbps=6010, canvas="vertical")
    whip = DestinationStats(name="<b>WHIP</b>", url="https://x/****", state=OutputState.CONNECTING, kind="whip")
    bar.update_stats(ProgramStats(30, 30, 0, 0, 0, 0, NS_PER_SECOND, False, (srt, rtmp, whip)))
    text = bar.outputs_label.text()
    assert "Relay LIVE 5980 kbps SRT, RTT 32 ms, 3 dropped" in text
    assert "Douyin LIVE 6010 kbps RTMP vertical" in text  # the canvas it receives, when not main
    assert "&lt;b&gt;WHIP&lt;/b&gt; CONNECTING 0 kbps WHIP" in text  # a name is text, not markup
    tooltip = bar.outputs_label.toolTip()
    assert (
        "Relay (SRT): RTT 32 ms, latency 480 ms, 17 retransmitted, 3 dropped, send buffer 180 ms, "
        "bandwidth estimate 12000 kbps"
    ) in tooltip.splitlines()
    assert "Douyin (RTMP, vertical)" in tooltip.splitlines()
