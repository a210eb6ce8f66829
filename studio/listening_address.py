"""Where a studio server listens, said the same way by each (the comments API on its thread or
in its child process, the remote control)."""

from __future__ import annotations


class ListeningAddress:
    """Mixin. The server sets `host`, `_requested_port` (0: the system picks) and `_port` (the
    one bound, None before start)."""

    host: str
    _requested_port: int
    _port: int | None

    @property
    def port(self) -> int:
        """The port listened on (the actual one when 0 was asked for); the asked one before start."""
        return self._port if self._port is not None else self._requested_port

    def address_url(self, scheme: str) -> str:
        """scheme://host:port, with an IPv6 host in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"
