"""The little SDP the guest service reads and writes itself; aiortc does the rest.

Reading an offer: which media sections it opens and in which direction (a browser's sendrecv
audio/video carries the guest in and their return out; a WHIP encoder's sendonly only brings media
in; a WHEP player's recvonly only takes the return).

Writing the answer: the bitrate the guest's browser should start at and never exceed. Chrome reads
both from the remote description (for the guest's browser, our answer):
- `x-google-start-bitrate` / `x-google-max-bitrate` (kbps) in the fmtp of each video codec: the
  first sets where its bandwidth estimate starts (its default of 300 kbps takes some 10 s to climb
  to HD), the second caps the encoder;
- `b=AS` (kbps, RFC 3556) and `b=TIAS` (bps, RFC 3890) on the video media section: the
  standard cap, which Firefox and Safari honour too.
Repair and protection formats (rtx, red, ulpfec, flexfec) carry no encoder of their own and are
left alone.

And the answer leaves out REMB, the receiver's estimate of what the path carries (`goog-remb`
feedback and the abs-send-time header extension it is computed from). aiortc computes it from
packet arrival times on its Python event loop, so a busy studio (encoding its own program on the
same cores) reads its own scheduling delay as congestion: measured with Chromium on loopback on a
shared 2-core machine, REMB pulled the guest from the 1000 kbps start down to about 200 kbps
within 10 s; without it Chromium climbed to the 2500 kbps cap. aiortc does not implement
transport-cc either, so the browser's sender-side estimate then rests on loss and RTT from the
receiver reports, which is what a real uplink bottleneck shows.
"""

from __future__ import annotations

from dataclasses import dataclass

DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")
_NOT_AN_ENCODER = {"rtx", "red", "ulpfec", "flexfec-03", "flexfec"}


class OfferError(ValueError):
    """The body is not an SDP offer the service can answer (the message says why)."""


@dataclass(frozen=True, slots=True)
class OfferedMedia:
    """One m= section of an offer, as its sender sees it: `direction` is the offerer's
    (sendrecv: it sends and wants media back; sendonly: it only sends; recvonly: it only takes)."""

    index: int
    kind: str  # "audio", "video", "application"
    mid: str | None
    direction: str

    @property
    def sends(self) -> bool:
        """The offerer sends media on it (the guest's camera or microphone)."""
        return self.direction in ("sendrecv", "sendonly")

    @property
    def receives(self) -> bool:
        """The offerer takes media on it (the return)."""
        return self.direction in ("sendrecv", "recvonly")


def offered_media(offer_sdp: str) -> list[OfferedMedia]:
    """The m= sections of an offer in order; OfferError if it is not SDP at all."""
    lines = [line.strip() for line in offer_sdp.splitlines()]
    if not lines or lines[0] != "v=0":
        raise OfferError("expected an SDP offer starting with v=0 (Content-Type: application/sdp)")
    session_direction = "sendrecv"
    media: list[OfferedMedia] = []
    kind: str | None = None
    mid: str | None = None
    direction: str | None = None

    def close_section() -> None:
        if kind is not None:
            media.append(OfferedMedia(len(media), kind, mid, direction or session_direction))

    for line in lines:
        if line.startswith("m="):
            close_section()
            kind, mid, direction = line[2:].split(" ", 1)[0], None, None
        elif line.startswith("a="):
            attribute = line[2:]
            if attribute in DIRECTIONS:
                if kind is None:
                    session_direction = attribute
                else:
                    direction = attribute
            elif attribute.startswith("mid:") and kind is not None:
                mid = attribute[4:]
    close_section()
    if not any(item.kind in ("audio", "video") for item in media):
        raise OfferError("the SDP offer has no audio or video m= section")
    return media


def with_video_bitrate(answer_sdp: str, *, start_kbps: int, max_kbps: int) -> str:
    """The answer with the start bitrate and the cap written into each video m= section (see the
    module's docstring). The start is kept at or below the cap; line endings are kept."""
    if max_kbps <= 0:
        raise ValueError(f"max_kbps: expected a positive bitrate, got {max_kbps}")
    start_kbps = max(1, min(start_kbps, max_kbps))
    newline = "\r\n" if "\r\n" in answer_sdp else "\n"
    lines = answer_sdp.splitlines()
    trailing = answer_sdp.endswith(("\n", "\r"))
    out: list[str] = []
    section: list[str] = []

    def flush() -> None:
        if section and section[0].startswith("m=video"):
            out.extend(_video_section_with_bitrate(section, start_kbps, max_kbps))
        else:
            out.extend(section)
        section.clear()

    for line in lines:
        if line.startswith("m="):
            flush()
        if section or line.startswith("m="):
            section.append(line)
        else:
            out.append(line)
    flush()
    return newline.join(out) + (newline if trailing else "")


def without_remb(answer_sdp: str) -> str:
    """The answer without REMB in its video sections (see the module's docstring)."""
    kept: list[str] = []
    in_video = False
    for line in answer_sdp.splitlines(keepends=True):
        if line.startswith("m="):
            in_video = line.startswith("m=video")
        text = line.rstrip("\r\n")
        if in_video and ((text.startswith("a=rtcp-fb:") and text.endswith(" goog-remb")) or (text.startswith("a=extmap:") and text.endswith("/abs-send-time"))):
            continue
        kept.append(line)
    return "".join(kept)


def _video_section_with_bitrate(section: list[str], start_kbps: int, max_kbps: int) -> list[str]:
    google = f"x-google-start-bitrate={start_kbps};x-google-max-bitrate={max_kbps}"
    encoders: list[str] = []  # payload types of real codecs, in rtpmap order
    for line in section:
        if line.startswith("a=rtpmap:"):
            payload_type, _, encoding = line[len("a=rtpmap:") :].partition(" ")
            if encoding.split("/", 1)[0].lower() not in _NOT_AN_ENCODER:
                encoders.append(payload_type)
    with_fmtp = set()
    lines: list[str] = []
    for line in section:
        if line.startswith("b=AS:") or line.startswith("b=TIAS:"):
            continue  # ours replace any the answer had
        if line.startswith("a=fmtp:"):
            payload_type, _, parameters = line[len("a=fmtp:") :].partition(" ")
            if payload_type in encoders:
                kept = [p for p in parameters.split(";") if p and not p.strip().startswith(("x-google-start-bitrate", "x-google-max-bitrate"))]
                line = f"a=fmtp:{payload_type} " + ";".join([*kept, google])
                with_fmtp.add(payload_type)
        lines.append(line)
    # A codec without an fmtp line (VP8 in aiortc's answers) gets one after its last attribute.
    for payload_type in encoders:
        if payload_type in with_fmtp:
            continue
        last = max(index for index, line in enumerate(lines) if _names_payload_type(line, payload_type))
        lines.insert(last + 1, f"a=fmtp:{payload_type} {google}")
    # b= lines come after the c= line (RFC 8866's order: m, i, c, b, k, a).
    connection = next((index for index, line in enumerate(lines) if line.startswith("c=")), 0)
    lines[connection + 1 : connection + 1] = [f"b=AS:{max_kbps}", f"b=TIAS:{max_kbps * 1000}"]
    return lines


def _names_payload_type(line: str, payload_type: str) -> bool:
    for prefix in ("a=rtpmap:", "a=rtcp-fb:", "a=fmtp:"):
        if line.startswith(prefix):
            return line[len(prefix) :].split(" ", 1)[0] == payload_type
    return False
