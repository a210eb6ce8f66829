"""The guest service's settings (连麦 over WebRTC), as plain validated data: part of the show file.

Each guest is a source of kind `guest` (its own token and caps live in its settings, see
studio/engine/sources/guest.py); these are the settings of the service all guests join through.
What the service does with them lives in studio/guests.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_serializer, field_validator

DEFAULT_GUEST_PORT = 8790


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IceServer(_Strict):
    """A STUN or TURN server the guest's browser and the studio both use to find a path (a guest
    outside the LAN needs a TURN server; see the README)."""

    urls: list[str] = Field(min_length=1, description="stun:host:port, turn:host:port?transport=udp, turns:host:443")
    username: str = ""
    credential: SecretStr = SecretStr("")

    @field_validator("urls")
    @classmethod
    def _known_schemes(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("stun:", "turn:", "turns:")):
                raise ValueError(f"expected a stun:, turn: or turns: URL, got {url.split(':', 1)[0] or url!r}:")
        return urls

    @field_serializer("credential", when_used="json")
    def _save_credential(self, credential: SecretStr) -> str:
        return credential.get_secret_value()  # the user's own file keeps it; nothing else shows it


class GuestServiceSettings(_Strict):
    port: int = Field(DEFAULT_GUEST_PORT, ge=0, le=65535, description="where guests connect; 0 picks a free port")
    listen_on_lan: bool = Field(
        False, description="serve HTTPS on every interface (a certificate the studio makes) so guests on the LAN can join"
    )
    public_url: str | None = Field(
        None,
        description="the base URL guests reach the studio at through a reverse proxy or tunnel you run "
        "(https://guests.example.com); links use it instead of this machine's address",
    )
    ice_servers: list[IceServer] = Field(default_factory=list, description="STUN/TURN servers for guests outside the LAN")

    @field_validator("public_url")
    @classmethod
    def _https(cls, url: str | None) -> str | None:
        if url in (None, ""):
            return None
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            # getUserMedia needs a secure context: a guest on plain http cannot open a camera.
            raise ValueError("expected an https:// URL (browsers give the camera only to secure pages)")
        return url.rstrip("/")
