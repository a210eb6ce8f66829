"""Renders the README's picture of the Guests dock (offscreen): docs/guests-dock.png.

The demo show with two more guests, on a real session and guest service; each guest's call is
played through the engine's real GuestFeed as the service plays it (a session started, media
arriving, a measurement), so the cards show what a host sees: one guest live with the call's
figures, one connection lost, one link not used yet. The picture is checked for the tokens: a
card draws each link masked.

    PYTHONPATH=. .venv/bin/python docs/guests_dock_screenshot.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
OUT = DOCS / "guests-dock.png"
DOCK_SIZE = (380, 580)


def settle(app, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["STUDIO_DATA_DIR"] = tempfile.mkdtemp(prefix="studio-docs-")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

    from studio.app import build_engine
    from studio.engine.builtin_shows import builtin_show
    from studio.engine.clock import SteppedClock
    from studio.engine.sources.guest_feed import GuestStats
    from studio.gui.desktop import create_application
    from studio.gui.guests_panel import GuestsPanel
    from studio.gui.undo import EditHistory
    from studio.session import SessionOptions, StudioSession

    app, _translators = create_application("en")
    session = StudioSession(builtin_show("demo"), SessionOptions(build_engine=lambda show: build_engine(show, clock=SteppedClock())))
    session.start()
    try:
        session.update_source("guest-1", name="Lin (Hangzhou)")
        session.add_source("guest", "Supplier Wang")
        session.add_source("guest", "Guest 3")
        history = EditHistory(session)
        window = QMainWindow()
        window.setCentralWidget(QWidget())
        panel = GuestsPanel(history, window)
        dock = QDockWidget(panel.tr("Guests"), window)
        dock.setWidget(panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        window.resize(*DOCK_SIZE)
        window.show()
        panel.start_service_if_needed()
        if session.guest_service is None:  # 8790 is taken here: any free port shows as well
            session.set_document(session.document.model_copy(update={"guests": session.document.guests.model_copy(update={"port": 0})}))
            panel.refresh_stats()
        guest_ids = session.guest_ids()
        live = session.engine.guest_feed(guest_ids[0])
        generation = live.session_started("browser")
        live.media_started(generation, carries_audio=True)
        live.update_stats(
            generation,
            GuestStats(video_bitrate_kbps=1460, audio_bitrate_kbps=32, fps=30, width=1280, height=720, rtt_ms=41, loss_percent=0.3),
        )
        lost = session.engine.guest_feed(guest_ids[1])
        generation = lost.session_started("browser")
        lost.media_started(generation, carries_audio=True)
        lost.mark_quiet(generation, "no media for 2 s")
        panel.refresh_stats()
        settle(app, 0.5)
        dock.grab().save(str(OUT))
        texts = [str(widget.property("text") or "") for widget in app.allWidgets()]
        for guest_id in guest_ids:
            token = session.source(guest_id).settings["token"]
            if any(token in text for text in texts):
                sys.exit(f"the token of {guest_id} is drawn on screen")
        print(f"wrote {OUT}")
    finally:
        session.stop()


if __name__ == "__main__":
    main()
