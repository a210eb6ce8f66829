"""The guest source (连麦): a remote guest's camera and voice, arriving over WebRTC.

The guest service (studio/guests) receives the guest's media on its asyncio thread and pushes
decoded frames and 48 kHz audio into the guest's GuestFeed (sources/guest_feed.py); the engine
owns one feed per guest source id and attaches it to each GuestSource it makes for that id, so
a settings edit (a new source object) keeps the call. This plugin only takes frames out of the
feed on its capture thread and offers the feed's sound to a `source_audio` input. While an edit
swaps sources, the new one claims the frames when it opens (GuestFeed.claim_frames()), so the
old one and its successor never share them out.

The token in the settings is the guest's key to join: saved in the show file as plain text
(the user's own file, like a stream key), masked everywhere else. An empty token is allowed in
a file: nobody can join that guest until the studio makes one (new_guest_token()).
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

import numpy as np
from pydantic import ConfigDict, Field, SecretStr, ValidationInfo, field_serializer, field_validator

from studio.engine.clock import NS_PER_MS, NS_PER_SECOND, MediaClock
from studio.engine.errors import SourceUnavailable
from studio.engine.frames import Frame
from studio.engine.sources.base import AudioSource, AudioStatus, SourceSettings, SourceTiming, VideoSource
from studio.engine.sources.guest_feed import GuestFeed

if TYPE_CHECKING:
    from studio.engine.show import Show

GUEST_KIND = "guest"
# A browser's first seconds after joining can run at a few fps (its encoder ramps up from the
# start bitrate), so a guest gets longer than a camera's 500 ms before its slate shows.
GUEST_NO_SIGNAL_AFTER_NS = 1500 * NS_PER_MS
# How long the capture thread waits for a frame before asking again (and seeing a stop).
FRAME_WAIT_S = 0.2
TOKEN_BYTES = 24  # token_urlsafe(24): 32 characters, 192 random bits
MIN_TOKEN_CHARS = 16
# The token travels in a URL fragment and an Authorization header: unreserved URL characters only.
_TOKEN_CHARACTERS = re.compile(r"^[A-Za-z0-9._~-]+$")


def new_guest_token() -> str:
    """A fresh random token for a guest's link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


class GuestSettings(SourceSettings):
    # A ValidationError printed as it is (a traceback, a log line) must not quote the token.
    model_config = ConfigDict(hide_input_in_errors=True)

    token: SecretStr = Field(
        SecretStr(""), description="the guest's key to join (in their link); empty: nobody can join until one is made"
    )
    show_program_video: bool = Field(True, description="the guest sees program video in their return")
    audio_processing: bool = Field(True, description="the guest's browser cancels echo, suppresses noise and levels the voice")
    max_video_bitrate_kbps: int = Field(2500, ge=100, le=20_000)
    max_width: int = Field(1280, ge=160, le=3840, multiple_of=2)
    max_height: int = Field(720, ge=120, le=2160, multiple_of=2)
    max_fps: int = Field(30, ge=1, le=60)
    start_bitrate_kbps: int = Field(1000, ge=100, le=20_000)

    @field_validator("token")
    @classmethod
    def _usable_token(cls, token: SecretStr) -> SecretStr:
        # The messages never quote the token: pydantic's own error shows the input masked (the
        # field is named token), and these say only what is wrong with it.
        value = token.get_secret_value()
        if not value:
            return token
        if len(value) < MIN_TOKEN_CHARS:
            raise ValueError(f"a guest token needs at least {MIN_TOKEN_CHARS} characters; leave it empty for the studio to make one")
        if not _TOKEN_CHARACTERS.match(value):
            raise ValueError("a guest token may hold only letters, digits and . _ ~ - (it travels in a link)")
        return token

    @field_validator("start_bitrate_kbps")
    @classmethod
    def _start_within_cap(cls, start_kbps: int, info: ValidationInfo) -> int:
        cap_kbps = info.data.get("max_video_bitrate_kbps")
        if cap_kbps is not None and start_kbps > cap_kbps:
            raise ValueError(f"expected at most max_video_bitrate_kbps ({cap_kbps}), got {start_kbps}")
        return start_kbps

    @field_serializer("token", when_used="json")
    def _save_token(self, token: SecretStr) -> str:
        # Saved in the user's show file (theirs to keep); never shown anywhere else.
        return token.get_secret_value()


def settings_with_plain_token(settings: dict, *, make_token: bool) -> dict:
    """A guest's settings as the show keeps them: the token as its plain value (a SecretStr
    handed in by a form is unwrapped, or the file would keep its mask), and a fresh token in
    place of an empty one when `make_token`."""
    settings = dict(settings)
    token = settings.get("token", "")
    if isinstance(token, SecretStr):
        token = token.get_secret_value()
    if not token and make_token:
        token = new_guest_token()
    if token or "token" in settings:
        settings["token"] = token
    return settings


def guest_sound_inputs(show: Show) -> dict[str, str]:
    """Audio input id -> guest source id, for each input that is a guest's own voice (a
    source_audio input whose source is a guest): what that guest's mix-minus leaves out."""
    from studio.engine.show import AudioInputKind

    guest_ids = {source.id for source in show.sources if source.kind == GUEST_KIND}
    sound_of: dict[str, str] = {}
    for spec in show.audio_inputs:
        if spec.kind is not AudioInputKind.SOURCE_AUDIO or not spec.source:
            continue
        source = show.source_by_ref(spec.source)
        if source is not None and source.id in guest_ids:
            sound_of[spec.id] = source.id
    return sound_of


class BorrowedFeedAudio(AudioSource):
    """The feed's sound as a mixer input sees it. The feed (and so its audio) belongs to the
    engine and outlives the mixer channel: a settings edit rebuilds the channel, and closing the
    old one must not silence the guest. So close() here lets go without closing the feed's audio."""

    max_advance_samples = 0  # live: nothing exists beyond the current program block

    def __init__(self, feed: GuestFeed) -> None:
        self._audio = feed.audio

    def on_program_block(self, start_sample: int, sample_count: int) -> None:
        self._audio.on_program_block(start_sample, sample_count)

    def read_block(self, start_sample: int, sample_count: int) -> np.ndarray:
        return self._audio.read_block(start_sample, sample_count)

    def status(self) -> tuple[AudioStatus, str]:
        return self._audio.status()

    def close(self) -> None:
        """The engine closes the feed when the guest leaves the show."""


class GuestSource(VideoSource):
    """Frames of the guest's camera from the feed the engine attached (attach_feed())."""

    kind = GUEST_KIND
    settings_model = GuestSettings
    timing = SourceTiming.CAPTURED
    no_signal_after_ns = GUEST_NO_SIGNAL_AFTER_NS
    settings: GuestSettings

    def __init__(self, name: str, settings: GuestSettings, clock: MediaClock) -> None:
        super().__init__(name, settings, clock)
        self._feed: GuestFeed | None = None
        self._audio: BorrowedFeedAudio | None = None
        self._reader: int | None = None  # the feed's reader number, claimed at the first open()

    def attach_feed(self, feed: GuestFeed) -> None:
        """The engine's feed for this guest; called right after the source is made."""
        self._feed = feed
        self._audio = BorrowedFeedAudio(feed)

    @property
    def feed(self) -> GuestFeed | None:
        return self._feed

    @property
    def takes_frames(self) -> bool:
        """This source is the one the feed's frames go to (opened, and not replaced since)."""
        feed = self._feed
        return feed is not None and self._reader is not None and feed.is_reader(self._reader) and not feed.closed

    @property
    def frame_interval_ns(self) -> int:
        return NS_PER_SECOND // self.settings.max_fps

    @property
    def audio(self) -> AudioSource | None:
        return self._audio

    def open(self) -> None:
        # Claimed when the runner starts, not when the source is made: until an edit's new
        # source runs, the one it replaces keeps taking the frames (and keeps them if that
        # edit never ran). A source once replaced never claims them back.
        feed = self._check_feed()
        if self._reader is None:
            self._reader = feed.claim_frames()

    def read_next(self) -> Frame | None:
        feed = self._check_feed()
        frame = feed.wait_frame(FRAME_WAIT_S, self._reader)
        if frame is None:
            self._check_feed()  # replaced or closed while waiting: say so instead of asking again at once
        return frame

    def interrupt(self) -> None:
        if self._feed is not None:
            self._feed.wake()

    def close(self) -> None:
        # The feed is the engine's (it outlives this source); only a waiting read is let go.
        self.interrupt()

    def _check_feed(self) -> GuestFeed:
        # Raising makes the runner back off (wall time) instead of spinning on a feed that
        # answers None at once.
        feed = self._feed
        if feed is None:
            raise SourceUnavailable("no guest feed attached")
        if feed.closed:
            raise SourceUnavailable("the guest left the show")
        if self._reader is not None and not feed.is_reader(self._reader):
            raise SourceUnavailable("replaced by the edited source")
        return feed


PLUGINS = (GuestSource,)
