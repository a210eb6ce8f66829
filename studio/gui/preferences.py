"""What the app remembers on this computer (not in a show): recent shows, the last show, the
language, the recording folder, window and dock layout. A small JSON file in the platform's
config folder, written atomically; a damaged file is set aside, never a reason not to start."""

from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

from studio.control.remote_protocol import DEFAULT_PORT

log = logging.getLogger(__name__)

RECENT_SHOWS_LIMIT = 10
LANGUAGES = ("system", "en", "zh_CN")


def default_config_dir() -> Path:
    return Path(os.environ.get("STUDIO_CONFIG_DIR") or platformdirs.user_config_dir("live-selling-studio"))


@dataclass
class Preferences:
    recent_shows: list[str] = field(default_factory=list)
    last_show: str | None = None
    language: str = "system"  # "system", "en" or "zh_CN"
    recording_folder: str = field(default_factory=lambda: str(Path(platformdirs.user_videos_dir()) / "Studio"))
    remote_enabled: bool = True  # the obs-websocket compatible remote control (Stream Deck, Companion...)
    remote_port: int = DEFAULT_PORT
    remote_lan: bool = False  # False: 127.0.0.1 only; True: other devices on the network too
    remote_password: str = ""  # generated on first run; shown in Settings, never logged
    window_geometry: str = ""  # base64 of QMainWindow.saveGeometry()
    window_state: str = ""  # base64 of QMainWindow.saveState(): docks and toolbars

    def ensure_remote_password(self) -> bool:
        """Make a password on first run (True if one was made and must be saved)."""
        if self.remote_password:
            return False
        import secrets

        self.remote_password = secrets.token_urlsafe(12)
        return True

    def remember_show(self, path: str) -> None:
        path = str(Path(path).resolve())
        self.recent_shows = [path] + [p for p in self.recent_shows if p != path]
        del self.recent_shows[RECENT_SHOWS_LIMIT:]
        self.last_show = path

    @staticmethod
    def encode_bytes(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    @staticmethod
    def decode_bytes(text: str) -> bytes:
        try:
            return base64.b64decode(text.encode("ascii"), validate=True)
        except ValueError:
            return b""


class PreferencesStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder or default_config_dir()) / "preferences.json"

    def load(self) -> Preferences:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            known = {name: data[name] for name in Preferences.__dataclass_fields__ if name in data}
            preferences = Preferences(**known)
            if preferences.language not in LANGUAGES:
                preferences.language = "system"
            return preferences
        except FileNotFoundError:
            return Preferences()
        except (OSError, ValueError, TypeError) as error:
            # Keep the damaged file for the user to look at; start with defaults.
            log.warning("%s: unreadable (%s); starting with default preferences", self.path, error)
            self.path.replace(self.path.with_suffix(".damaged.json"))
            return Preferences()

    def save(self, preferences: Preferences) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".preferences.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(asdict(preferences), stream, indent=2, ensure_ascii=False)
            os.replace(temp_name, self.path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
