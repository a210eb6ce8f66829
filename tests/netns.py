"""A private network namespace for link tests: a veth pair between the host and the namespace,
and nftables rules in the namespace that drop packets arriving from the host (loss) or every
packet both ways (a blackout). Run a receiver inside with `link.run([...])` / `link.popen([...])`
and send to `link.namespace_ip`.

Each link has its own names (namespace, veth, nftables table) and its own /30 in 10.214.0.0/16,
so tests (and the hand rig in /work/shared/rig, which uses 10.213.7.0/30) can run at once. It
needs root (CAP_NET_ADMIN) and the `ip` and `nft` commands: without them the fixture fails and
says so rather than skipping, because a skipped link test proves nothing.

The loss is on the data direction only (host -> namespace): SRT's acknowledgements and loss
reports come back intact, as on an uplink that loses packets. This kernel has no sch_netem,
so there is no added delay."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

_SEQUENCE = itertools.count()
TABLE = "studio_link"


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")


def missing_requirements() -> str | None:
    """Why a link cannot be made on this machine, or None."""
    if os.geteuid() != 0:
        return "the network-namespace link tests need root (CAP_NET_ADMIN); run them as root, as CI does"
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            return f"the network-namespace link tests need the '{tool}' command (packages iproute2 and nftables)"
    return None


class Link:
    """One namespace and its veth pair. `close()` removes everything, whatever state it is in."""

    def __init__(self) -> None:
        number = next(_SEQUENCE)
        tag = f"{os.getpid() % 100_000}x{number}"
        self.namespace = f"studio-link-{tag}"
        self.host_interface = f"sl{tag}h"[:15]  # interface names have at most 15 characters
        self.namespace_interface = f"sl{tag}n"[:15]
        # A /30 per link: third octet from the pid, fourth from the link's number.
        block = (os.getpid() * 7 + number * 64) % (256 * 64)
        third, fourth = block // 64, (block % 64) * 4
        self.host_ip = f"10.214.{third}.{fourth + 1}"
        self.namespace_ip = f"10.214.{third}.{fourth + 2}"
        self._up = False
        self.loss_percent = 0.0

    def open(self) -> Link:
        try:
            _run("ip", "netns", "add", self.namespace)
            self._up = True
            _run("ip", "link", "add", self.host_interface, "type", "veth", "peer", "name", self.namespace_interface)
            _run("ip", "link", "set", self.namespace_interface, "netns", self.namespace)
            _run("ip", "addr", "add", f"{self.host_ip}/30", "dev", self.host_interface)
            _run("ip", "link", "set", self.host_interface, "up")
            self.exec("ip", "addr", "add", f"{self.namespace_ip}/30", "dev", self.namespace_interface)
            self.exec("ip", "link", "set", self.namespace_interface, "up")
            self.exec("ip", "link", "set", "lo", "up")
            self._nft(
                f"add table inet {TABLE}\n"
                f"add chain inet {TABLE} loss {{ type filter hook input priority 0; }}\n"
                f"add chain inet {TABLE} cut_in {{ type filter hook input priority -1; }}\n"
                f"add chain inet {TABLE} cut_out {{ type filter hook output priority -1; }}\n"
            )
        except BaseException:
            self.close()
            raise
        return self

    def exec(self, *command: str) -> None:
        _run("ip", "netns", "exec", self.namespace, *command)

    def wrap(self, command: list[str]) -> list[str]:
        """`command` as run inside the namespace."""
        return ["ip", "netns", "exec", self.namespace, *command]

    def _nft(self, script: str) -> None:
        result = subprocess.run(
            self.wrap(["nft", "-f", "-"]), input=script, capture_output=True, text=True, timeout=20, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"nft in {self.namespace} failed: {result.stderr.strip()}\n{script}")

    def loss(self, percent: float) -> None:
        """Drop `percent` % of the packets from the host, at random (0 = none). In tenths of a
        percent: nftables' numgen gives integers."""
        if not 0 <= percent <= 100:
            raise ValueError(f"loss percent {percent} is not between 0 and 100")
        script = f"flush chain inet {TABLE} loss\n"
        if percent:
            script += (
                f"add rule inet {TABLE} loss ip saddr {self.host_ip} numgen random mod 1000 < {round(percent * 10)} drop\n"
            )
        self._nft(script)
        self.loss_percent = percent

    def cut(self) -> None:
        """A blackout: every packet dropped, both ways, until `restore()`."""
        self._nft(
            f"add rule inet {TABLE} cut_in ip saddr {self.host_ip} drop\n"
            f"add rule inet {TABLE} cut_out ip daddr {self.host_ip} drop\n"
        )

    def restore(self) -> None:
        self._nft(f"flush chain inet {TABLE} cut_in\nflush chain inet {TABLE} cut_out\n")

    @contextmanager
    def blackout(self) -> Iterator[None]:
        self.cut()
        try:
            yield
        finally:
            self.restore()

    def close(self) -> None:
        """Kill what still runs in the namespace, then remove it and the veth pair."""
        if not self._up:
            return
        self._up = False
        pids = subprocess.run(
            ["ip", "netns", "pids", self.namespace], capture_output=True, text=True, timeout=20, check=False
        ).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "link", "del", self.host_interface], capture_output=True, timeout=20, check=False)
        subprocess.run(["ip", "netns", "del", self.namespace], capture_output=True, timeout=20, check=False)


@contextmanager
def open_link() -> Iterator[Link]:
    problem = missing_requirements()
    if problem:
        raise RuntimeError(problem)
    link = Link()
    try:
        yield link.open()
    finally:
        link.close()


@pytest.fixture
def netns_link() -> Iterator[Link]:
    """A fresh namespace link (see Link), removed after the test; fails (not skips) without root."""
    problem = missing_requirements()
    if problem:
        pytest.fail(problem)
    with open_link() as link:
        yield link
