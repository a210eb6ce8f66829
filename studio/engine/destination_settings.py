"""Where the show goes live, as plain validated data: part of the show file.

A destination is RTMP(S), SRT or WHIP, told apart by its server URL's scheme. Its key is secret:
masked in every print, log and error. For SRT the key is the stream id and the SRT settings
below become the URL's query (libsrt's names, as FFmpeg and every SRT tool take them); for
WHIP the key is the bearer token, sent in the Authorization header, never in the URL.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer, field_validator

from studio.engine.outputs.stream_target import StreamKind, StreamTarget


class _Strict(BaseModel):
    # A refused value is not quoted in str(ValidationError): it may be a key or a passphrase.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


# Ingest servers of the platforms with a fixed one; the rest (Douyin, TikTok, Taobao, Kuaishou...)
# hand each seller a URL and key: the "custom" preset.
DESTINATION_PRESETS = {
    "youtube": "rtmp://a.rtmp.youtube.com/live2",
    "youtube_rtmps": "rtmps://a.rtmps.youtube.com:443/live2",
    "twitch": "rtmp://live.twitch.tv/app",
}


class SrtMode(str, Enum):
    CALLER = "caller"  # the studio connects to the server (a platform's or a relay's ingest)
    LISTENER = "listener"  # the studio waits on its port; a relay or a remote producer pulls


class SrtSettings(_Strict):
    """How an SRT destination fights loss: a receive buffer long enough for retransmissions
    (latency), bandwidth for them (overhead), optionally forward error correction, and AES
    encryption. The defaults held a minute of 10 % random loss with no frame lost (measured
    through a network namespace, see README "SRT that holds"): 500 ms of latency at least and no
    bandwidth cap (capping at the stream's rate plus 100 %, relative or absolute, lost packets at
    30 % loss: the retransmissions of a keyframe's burst come too late). A link losing 30 % wants
    1000 ms of latency."""

    latency_ms: int | None = Field(
        None, ge=20, le=8000,
        description="time for retransmissions, ms; empty = 4x the round trip measured on the last connection, at least 500 ms",
    )  # fmt: skip
    overhead_percent: int | None = Field(
        None, ge=5, le=100,
        description="cap SRT at the stream's rate plus this many %, for retransmissions; empty = no cap (best under loss)",
    )  # fmt: skip
    max_bandwidth_kbps: int | None = Field(
        None, ge=100, description="a hard cap on what SRT sends, kbit/s; empty = the overhead's cap, or none"
    )
    fec: str = Field(
        "", description="libsrt packet filter, e.g. 'fec,cols:10,rows:5' (needs srt-live-transmit); empty = none (retransmission only)"
    )
    passphrase: SecretStr = Field(SecretStr(""), description="AES encryption: 10 to 79 characters; empty = none")
    key_length: Literal[16, 24, 32] = Field(16, description="AES key length in bytes (128, 192 or 256 bits)")
    mode: SrtMode = Field(
        SrtMode.CALLER, description="caller: the studio connects to the URL; listener: it waits on the URL's port to be pulled"
    )

    @field_validator("passphrase")
    @classmethod
    def _passphrase_length(cls, passphrase: SecretStr) -> SecretStr:
        # libsrt refuses a passphrase outside 10-79 characters only when the link opens; say it
        # when the show is loaded. The message gives the length, never the passphrase.
        length = len(passphrase.get_secret_value())
        if length and not 10 <= length <= 79:
            raise ValueError(f"an AES passphrase has 10 to 79 characters (or none), this one has {length}")
        return passphrase

    @field_serializer("passphrase", when_used="json")
    def _save_passphrase(self, passphrase: SecretStr) -> str:
        return passphrase.get_secret_value()  # saved in the user's show file, never shown elsewhere

    def url_options(self) -> dict[str, str]:
        """These settings as an srt:// URL's query, in libsrt's names and FFmpeg's units."""
        options: dict[str, str] = {"mode": self.mode.value}
        if self.latency_ms is not None:
            options["latency"] = str(self.latency_ms * 1000)  # microseconds
        if self.max_bandwidth_kbps is not None:
            options["maxbw"] = str(self.max_bandwidth_kbps * 1000 // 8)  # bytes per second
        elif self.overhead_percent is not None:
            options["maxbw"] = "0"  # relative: libsrt's estimate of the input rate plus oheadbw
        if self.overhead_percent is not None:
            options["oheadbw"] = str(self.overhead_percent)
        if self.fec:
            options["packetfilter"] = self.fec
        passphrase = self.passphrase.get_secret_value()
        if passphrase:
            options["passphrase"] = passphrase
            options["pbkeylen"] = str(self.key_length)
        return options


class DestinationSpec(_Strict):
    """A platform or server to go live to."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    preset: Literal["custom", "youtube", "youtube_rtmps", "twitch"] = "custom"
    url: str = Field("", description="server URL (custom): rtmp://, rtmps://, srt:// or a WHIP endpoint's https://")
    stream_key: SecretStr = Field(SecretStr(""), description="stream key; SRT: the stream id; WHIP: the bearer token")
    enabled: bool = True
    srt: SrtSettings = SrtSettings()
    canvas: str = Field("main", description="which canvas this destination receives (main, or e.g. vertical)")

    @field_serializer("stream_key", when_used="json")
    def _save_key(self, key: SecretStr) -> str:
        # Saved in the user's show file (theirs to keep); never shown anywhere else.
        return key.get_secret_value()

    def server(self) -> str:
        return DESTINATION_PRESETS.get(self.preset, self.url).rstrip("/")

    def full_url(self) -> str:
        """The URL the sender connects to: server + "/" + key for RTMP; SRT carries the key as
        its stream id and its settings in the query; WHIP's URL is the endpoint alone."""
        server = self.server()
        key = self.stream_key.get_secret_value()
        kind = StreamTarget(self.name, server).kind
        if kind is StreamKind.WHIP:
            return server
        if kind is StreamKind.SRT:
            options = dict(self.srt.url_options())
            if key:
                options["streamid"] = key
            given = server.partition("?")[2]
            # What the user typed into the URL wins over the settings (an expert's escape hatch).
            given_names = {pair.partition("=")[0] for pair in given.split("&") if pair}
            extra = "&".join(f"{name}={quote(value, safe=',:')}" for name, value in options.items() if name not in given_names)
            return server + ("&" if given else "?") + extra if extra else server
        if not key:
            return server
        return f"{server}/{key}"

    def target(self) -> StreamTarget:
        """What the engine sends to."""
        token = self.stream_key.get_secret_value() if StreamTarget(self.name, self.server()).kind is StreamKind.WHIP else ""
        return StreamTarget(self.name, self.full_url(), bearer_token=token, canvas=self.canvas)
