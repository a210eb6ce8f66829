"""The certificate of the guest service on the LAN: browsers give the camera and microphone only to
a secure page, so a guest on another machine of the LAN needs HTTPS.

The studio makes a self-signed certificate once and keeps it in a directory it is given: a guest
whose browser was told once to trust it ("Advanced > Proceed") is not asked again on the next
show. It names this machine's LAN addresses and localhost; it is made again only when it no
longer names every current address (the router handed out another one) or is near its end.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import os
import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ifaddr
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

log = logging.getLogger(__name__)

CERTIFICATE_FILE = "guest-service.crt"
KEY_FILE = "guest-service.key"
VALID_DAYS = 825  # the longest a browser accepts for a certificate it was told to trust
RENEW_BEFORE_DAYS = 30
COMMON_NAME = "Live-selling studio guest service"


@dataclass(frozen=True, slots=True)
class LanCertificate:
    certificate_path: Path
    key_path: Path
    addresses: tuple[str, ...]  # the IP addresses it names (besides localhost)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate_path, self.key_path)
        return context


def lan_addresses() -> list[str]:
    """This machine's IPv4 and global IPv6 addresses, the one with the default route first."""
    addresses: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            address = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            try:
                parsed = ipaddress.ip_address(address)
            except ValueError:
                continue
            if parsed.is_loopback or parsed.is_link_local or parsed.is_multicast:
                continue
            if address not in addresses:
                addresses.append(address)
    primary = primary_lan_address()
    if primary in addresses:
        addresses.remove(primary)
        addresses.insert(0, primary)
    return addresses


def primary_lan_address() -> str | None:
    """The address other machines most likely reach this one at: the source address of the
    default route (a UDP socket's connect() picks it; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed like the internet, never reached
            return probe.getsockname()[0]
        except OSError:
            return None


def ensure_lan_certificate(directory: Path, addresses: list[str] | None = None) -> LanCertificate:
    """The certificate kept in `directory` when it still fits this machine, else a new one
    (the directory is made if needed; the key file is readable by this user only)."""
    addresses = lan_addresses() if addresses is None else addresses
    directory = Path(directory)
    certificate_path, key_path = directory / CERTIFICATE_FILE, directory / KEY_FILE
    kept = _kept_certificate(certificate_path, key_path, addresses)
    if kept is not None:
        return kept
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, COMMON_NAME)])
    alternative_names: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    alternative_names += [x509.IPAddress(ipaddress.ip_address(address)) for address in addresses]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _write_replacing(key_path, key_pem, mode=0o600)
    _write_replacing(certificate_path, certificate.public_bytes(serialization.Encoding.PEM), mode=0o644)
    log.info("guest service: made a LAN certificate for %s in %s", ", ".join(["localhost", *addresses]), directory)
    return LanCertificate(certificate_path, key_path, tuple(addresses))


def _kept_certificate(certificate_path: Path, key_path: Path, addresses: list[str]) -> LanCertificate | None:
    if not (certificate_path.is_file() and key_path.is_file()):
        return None
    try:
        certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
        named = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        named_addresses = {str(address) for address in named.get_values_for_type(x509.IPAddress)}
    except (ValueError, x509.ExtensionNotFound) as error:
        log.warning("guest service: making a new LAN certificate: %s cannot be read (%s)", certificate_path, error)
        return None
    remaining = certificate.not_valid_after_utc - datetime.datetime.now(datetime.UTC)
    if remaining < datetime.timedelta(days=RENEW_BEFORE_DAYS):
        return None
    if not set(addresses) <= named_addresses:
        return None
    return LanCertificate(certificate_path, key_path, tuple(sorted(named_addresses - {"127.0.0.1"})))


def _write_replacing(path: Path, data: bytes, *, mode: int) -> None:
    """Write to a temporary file beside `path` and rename it into place."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.chmod(temporary, mode)  # before the key is written into it
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
