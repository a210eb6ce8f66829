"""What a live destination is to the engine: a name, the full URL (with its key) and, for WHIP,
a bearer token beside it. The kind follows the URL's scheme: rtmp:// and rtmps:// are RTMP,
srt:// is SRT (its settings ride in the URL's query, as libsrt and every SRT tool take them),
http:// and https:// are a WHIP endpoint (RFC 9725). A target's URL and token are secrets:
only `masked_url` may be shown."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from studio.engine.secrets import mask_url, url_problem, url_scheme


class StreamKind(StrEnum):
    RTMP = "rtmp"
    SRT = "srt"
    WHIP = "whip"


_KIND_OF_SCHEME = {
    "rtmp": StreamKind.RTMP,
    "rtmps": StreamKind.RTMP,
    "srt": StreamKind.SRT,
    "http": StreamKind.WHIP,
    "https": StreamKind.WHIP,
}
SUPPORTED_SCHEMES = tuple(_KIND_OF_SCHEME)


def check_destination_url(url: str) -> str | None:
    """Why this URL cannot be a destination, or None."""
    return url_problem(url, SUPPORTED_SCHEMES)


@dataclass(frozen=True, slots=True)
class StreamTarget:
    name: str
    url: str  # with its key; never logged
    bearer_token: str = ""  # WHIP's Authorization: Bearer; never logged
    canvas: str = "main"  # which canvas's program it receives

    def __repr__(self) -> str:  # a target in a traceback or a log line shows no secret
        return f"StreamTarget({self.name!r}, {self.masked_url!r})"

    @property
    def kind(self) -> StreamKind:
        return _KIND_OF_SCHEME.get(url_scheme(self.url), StreamKind.RTMP)

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    def problem(self) -> str | None:
        return check_destination_url(self.url)

    @classmethod
    def of(cls, destination: StreamTarget | tuple[str, str]) -> StreamTarget:
        """A target from a target or a (name, URL) pair (what scripts and the CLI pass)."""
        if isinstance(destination, StreamTarget):
            return destination
        name, url = destination
        return cls(name, url)
