"""ICE for the guest service: the STUN/TURN servers of the show, and loopback host candidates.

Loopback: aioice (aiortc's ICE) leaves 127.0.0.1 and ::1 out of the host candidates it gathers,
which is right for a server on the internet. But a service bound to 127.0.0.1 (the default) can
only be reached from this machine, so the guest's browser is on this machine: when the machine
has no other network (a laptop offline, a container, a test box with only `lo`), aioice gathers
nothing and ICE fails, and where there is a LAN address the guest's media takes the detour
through it. So a peer of a loopback-bound service also gathers on the loopback address.

This is the one place that reaches into aioice: each gatherer's Connection (created per
peer connection by aiortc, not shared) gets its `get_component_candidates` wrapped on the
instance, so the loopback address is added to the addresses aioice binds host candidates on.
Nothing module-wide is patched: other peer connections in the process (the tests' own clients,
a LAN-bound service) are untouched. Must run after setRemoteDescription (which creates the
transports) and before setLocalDescription (which gathers).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from aiortc import RTCIceServer, RTCPeerConnection

from studio.engine.guest_settings import IceServer


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost': a service there is reachable only locally."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def rtc_ice_servers(servers: Iterable[IceServer]) -> list[RTCIceServer]:
    """The show's STUN/TURN servers for aiortc. An empty list means none: aiortc's default
    (a public Google STUN server) is never used behind the user's back."""
    return [
        RTCIceServer(
            urls=list(server.urls),
            username=server.username or None,
            credential=server.credential.get_secret_value() or None,
        )
        for server in servers
    ]


def browser_ice_servers(servers: Iterable[IceServer]) -> list[dict[str, object]]:
    """The same servers as the guest page passes them to RTCPeerConnection (config JSON)."""
    shown: list[dict[str, object]] = []
    for server in servers:
        entry: dict[str, object] = {"urls": list(server.urls)}
        if server.username:
            entry["username"] = server.username
        if server.credential.get_secret_value():
            entry["credential"] = server.credential.get_secret_value()
        shown.append(entry)
    return shown


def _ice_connections(pc: RTCPeerConnection) -> list:
    """The aioice Connection of each of this peer connection's ICE gatherers (this peer's own,
    never shared), once each: the only objects of aioice the service changes."""
    connections: dict[int, object] = {}
    for transceiver in pc.getTransceivers():
        dtls = transceiver.receiver.transport
        if dtls is not None:
            connection = dtls.transport.iceGatherer._connection
            connections.setdefault(id(connection), connection)
    return list(connections.values())


def gather_on_loopback_too(pc: RTCPeerConnection, loopback_address: str = "127.0.0.1") -> int:
    """Make each of the peer connection's ICE gatherers also bind a host candidate on the
    loopback address (see the module's docstring). Returns how many gatherers were changed."""
    changed = 0
    for connection in _ice_connections(pc):
        if getattr(connection, "_studio_loopback", False):
            continue
        gather = connection.get_component_candidates

        async def get_component_candidates(component: int, addresses: list[str], timeout: int = 5, _gather=gather):
            if loopback_address not in addresses:
                addresses = [loopback_address, *addresses]
            return await _gather(component=component, addresses=addresses, timeout=timeout)

        connection.get_component_candidates = get_component_candidates
        connection._studio_loopback = True
        changed += 1
    return changed


def without_consent_checks(pc: RTCPeerConnection) -> int:
    """Switch off ICE consent-freshness checks (RFC 7675) on this peer connection's gatherers only:
    FFmpeg's WHIP muxer (9.0) does not answer them, so aioice would end every FFmpeg guest some
    30 s in ("Consent to send expired"). Used for WHIP clients, which only send: the session's own
    media watchdog notices a client that went away (LOST after 2 s, ended after QUIET_GIVE_UP_S).
    Must run before ICE connects (right after setLocalDescription). Returns the gatherers changed."""

    async def no_consent_checks() -> None:
        return None

    connections = _ice_connections(pc)
    for connection in connections:
        connection.query_consent = no_consent_checks
    return len(connections)
