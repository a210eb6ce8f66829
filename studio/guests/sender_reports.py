"""What lip sync needs from aiortc's receivers that aiortc keeps to itself: each incoming track's
RTCP sender reports, and the RTP timestamp its decoded frames' pts count from.

This is the one place that reaches into aiortc's RTCRtpReceiver (aiortc 1.x), on one receiver
instance at a time; nothing module-wide is patched, so other peer connections in the process
(the tests' own clients, a WHEP session) are untouched:
- Sender reports: the DTLS transport routes each RTCP packet to `receiver._handle_rtcp_packet`,
  looked up on the instance, so that attribute is wrapped on the instance: the wrapper notes a
  sender report (RtcpSrPacket) of the track's media SSRC and hands every packet on unchanged.
  Reports of the track's retransmission SSRC (RTX, the second SSRC of the offer's FID group)
  are left out: that stream has timestamps of its own.
- The pts origin: aiortc's TimestampMapper subtracts the track's first RTP timestamp from every
  frame's (`_origin`, read once the first frame is out). A missing attribute (another aiortc)
  gives None: the guest's pictures then keep the feed's arrival stamping, nothing breaks.
Must run before media flows (GuestPeer.start(), before the answer goes out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiortc import RTCRtpReceiver
from aiortc.rtcrtptransceiver import RTCRtpTransceiver
from aiortc.rtp import RtcpSrPacket
from aiortc.sdp import SessionDescription

from studio.guests.lip_sync import SenderReport

log = logging.getLogger(__name__)

_MARK = "_studio_sender_reports"


def retransmission_ssrcs(remote_sdp: str, mid: str | None) -> set[int]:
    """The RTX SSRCs the offer announces for the media section `mid` (FID groups: media, rtx)."""
    try:
        description = SessionDescription.parse(remote_sdp)
    except ValueError:
        return set()
    found: set[int] = set()
    for media in description.media:
        if media.rtp.muxId != mid:
            continue
        for group in media.ssrc_group:
            if group.semantic == "FID" and len(group.items) >= 2:
                found.update(int(item) for item in group.items[1:])
    return found


def listen_for_sender_reports(
    transceiver: RTCRtpTransceiver, remote_sdp: str, on_report: Callable[[SenderReport], None]
) -> bool:
    """Call on_report for each sender report of the transceiver's incoming media (on the event
    loop, before aiortc handles the packet itself). False if this receiver cannot be listened to."""
    receiver: RTCRtpReceiver = transceiver.receiver
    handle = getattr(receiver, "_handle_rtcp_packet", None)
    if handle is None or getattr(receiver, _MARK, False):
        return False
    ignored = retransmission_ssrcs(remote_sdp, transceiver.mid)

    async def handle_rtcp_packet(packet, _handle=handle) -> None:
        if isinstance(packet, RtcpSrPacket) and packet.ssrc not in ignored:
            try:
                on_report(SenderReport(packet.sender_info.ntp_timestamp, packet.sender_info.rtp_timestamp))
            except Exception:  # noqa: BLE001 - lip sync must never cost the call its RTCP
                log.exception("handling a sender report failed")
        await _handle(packet)

    receiver._handle_rtcp_packet = handle_rtcp_packet
    setattr(receiver, _MARK, True)
    return True


def pts_origin_rtp_timestamp(receiver: RTCRtpReceiver) -> int | None:
    """The RTP timestamp the receiver's decoded frames' pts count from; None before its first
    frame, or if this aiortc keeps it elsewhere."""
    mapper = getattr(receiver, "_RTCRtpReceiver__timestamp_mapper", None)
    origin = getattr(mapper, "_origin", None)
    return origin if isinstance(origin, int) else None
