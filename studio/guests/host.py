"""What the guest service needs of the studio, and nothing more: the GuestHost protocol.

The service never reaches into the engine or the show. It asks its host, on every request, who
may join (GuestAccess, with the guest's current token and caps: a revoked link or a lowered cap
counts from the next request), where the guest's media goes (their GuestFeed) and what goes back
(their mix-minus as an AudioTap, program video as a VideoTap). The session implements it over the
engine of the moment (studio/guests/engine_host.py); tests implement it with real engine objects.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from studio.engine.audio.tap import AudioTap
from studio.engine.outputs.video_tap import VideoTap
from studio.engine.sources.guest_feed import GuestFeed


class GuestAccess(NamedTuple):
    """One guest as the service sees them. `token` is a secret: never logged or shown."""

    guest_id: str
    name: str
    token: str
    show_program_video: bool
    audio_processing: bool
    max_video_bitrate_kbps: int
    start_bitrate_kbps: int
    max_width: int
    max_height: int
    max_fps: int

    def __repr__(self) -> str:  # a stray log of the tuple must not print the token
        return f"GuestAccess(guest_id={self.guest_id!r}, name={self.name!r}, token='****')"


class GuestHost(Protocol):
    def guest_access(self, guest_id: str) -> GuestAccess | None:
        """The guest's current settings, or None: no such guest (or no link made yet)."""

    def guest_feed(self, guest_id: str) -> GuestFeed | None:
        """Where this guest's media goes, or None while no engine takes it."""

    def open_guest_return(self, guest_id: str) -> AudioTap:
        """This guest's mix-minus (program without their own voice)."""

    def close_guest_return(self, guest_id: str, tap: AudioTap) -> None: ...

    def open_program_video(self, max_width: int, max_height: int, max_fps: int) -> VideoTap | None:
        """A small picture of program for the guest's return, or None while no engine runs."""

    def close_program_video(self, tap: VideoTap) -> None: ...
