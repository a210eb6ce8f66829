"""The GuestHost the session hands the guest service: the engine of the moment and the show as
it is now, read on each call, so a revoked token or a changed cap counts from the next request
and a restarted engine (another show loaded) is the one guests reach."""

from __future__ import annotations

from collections.abc import Callable

from studio.engine.audio.tap import AudioTap
from studio.engine.commands import AudioBus
from studio.engine.engine import Engine
from studio.engine.outputs.video_tap import PROGRAM, VideoTap
from studio.engine.show import Show
from studio.engine.sources.guest import GUEST_KIND, GuestSettings
from studio.engine.sources.guest_feed import GuestFeed
from studio.guests.host import GuestAccess


def guest_settings(show: Show, guest_id: str) -> GuestSettings | None:
    """The settings of the guest source with this id, or None (no such guest)."""
    spec = next((s for s in show.sources if s.id == guest_id and s.kind == GUEST_KIND), None)
    return GuestSettings.model_validate(spec.settings) if spec is not None else None


class EngineGuestHost:
    def __init__(self, engine_of: Callable[[], Engine | None], show_of: Callable[[], Show]) -> None:
        self._engine_of = engine_of
        self._show_of = show_of

    def guest_access(self, guest_id: str) -> GuestAccess | None:
        show = self._show_of()
        settings = guest_settings(show, guest_id)
        if settings is None or not settings.token.get_secret_value():
            return None  # no such guest, or no link made yet: nobody may join
        name = next(s.name for s in show.sources if s.id == guest_id)
        return GuestAccess(
            guest_id=guest_id,
            name=name,
            token=settings.token.get_secret_value(),
            show_program_video=settings.show_program_video,
            audio_processing=settings.audio_processing,
            max_video_bitrate_kbps=settings.max_video_bitrate_kbps,
            start_bitrate_kbps=settings.start_bitrate_kbps,
            max_width=settings.max_width,
            max_height=settings.max_height,
            max_fps=settings.max_fps,
        )

    def guest_feed(self, guest_id: str) -> GuestFeed | None:
        engine = self._engine_of()
        return engine.guest_feed(guest_id) if engine is not None else None

    def open_guest_return(self, guest_id: str) -> AudioTap:
        engine = self._engine_of()
        if engine is None:
            return AudioTap(20)  # between engines: silence until the guest rejoins the next one
        return engine.open_audio_tap(AudioBus.MIX_MINUS, guest=guest_id)

    def close_guest_return(self, guest_id: str, tap: AudioTap) -> None:
        engine = self._engine_of()
        if engine is not None:
            engine.close_audio_tap(AudioBus.MIX_MINUS, tap)

    def open_program_video(self, max_width: int, max_height: int, max_fps: int) -> VideoTap | None:
        engine = self._engine_of()
        return engine.open_video_tap(PROGRAM, max_width, max_height, max_fps) if engine is not None else None

    def close_program_video(self, tap: VideoTap) -> None:
        engine = self._engine_of()
        if engine is not None:
            engine.close_video_tap(tap)
