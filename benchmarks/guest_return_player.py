"""A guest's return, pulled the way the guest's own device would: a WHEP player in a process of
its own, so that decoding the return costs the benchmark's studio process nothing.

    python benchmarks/guest_return_player.py http://127.0.0.1:PORT/whep/guest-1 [--video] < token

benchmarks/guest.py starts one per FFmpeg guest. FFmpeg's WHIP muxer only sends, so without this
the studio would encode no mix-minus for those guests; a browser guest takes the same return on
its WHIP session. The token is read from the first line of stdin, never from the command line
(which any user of the machine can list). The player prints "playing" once the first return
audio frame arrives, and when stdin closes (the benchmark is done, or it died) it hangs up with
DELETE and prints "received audio=N video=M" (frames). `ReturnPlayer` is the benchmark's handle
on one such child.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from pathlib import Path

import aiohttp
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.guests.ice import gather_on_loopback_too  # noqa: E402

ANSWER_TIMEOUT_S = 30.0
STOP_LIMIT_S = 15.0


class ReturnPlayer:
    """The benchmark's side: this script in a child process, for one guest."""

    def __init__(self, whep_url: str, token: str, *, video: bool) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), whep_url, *(["--video"] if video else [])]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.process.stdin.write(token + "\n")
        self.process.stdin.flush()

    def wait_playing(self) -> None:
        line = self.process.stdout.readline()  # "playing", or why not; the child gives up within 30 s
        if line.strip() != "playing":
            raise SystemExit(f"a return player did not play: {line.strip() or 'it exited'}")

    def stop(self) -> str:
        """Hang up; returns the player's last line (what it received)."""
        if not self.process.stdin.closed:
            self.process.stdin.close()  # the player's signal to DELETE its session and exit
        try:
            self.process.wait(STOP_LIMIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_LIMIT_S)
        lines = self.process.stdout.read().strip().splitlines()  # two short lines at most: no pipe stall
        return lines[-1] if lines else "(nothing)"


async def play(whep_url: str, token: str, *, video: bool) -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("audio", "recvonly")
    if video:
        pc.addTransceiver("video", "recvonly")
    received = {"audio": 0, "video": 0}
    readers: list[asyncio.Task] = []

    async def read(track) -> None:
        while True:
            try:
                await track.recv()  # decoded here, in this process: the guest's device's work
            except MediaStreamError:
                return
            received[track.kind] += 1
            if track.kind == "audio" and received["audio"] == 1:
                print("playing", flush=True)

    pc.on("track", lambda track: readers.append(asyncio.ensure_future(read(track))))
    offer = await pc.createOffer()
    gather_on_loopback_too(pc)  # the service listens on 127.0.0.1; a machine may have no other network
    await pc.setLocalDescription(offer)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/sdp"}
    origin = whep_url.split("/whep/", 1)[0]
    timeout = aiohttp.ClientTimeout(total=ANSWER_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        async with http.post(whep_url, data=pc.localDescription.sdp, headers=headers) as reply:
            if reply.status != 201:
                print(f"refused: HTTP {reply.status} {await reply.text()}", flush=True)
                await pc.close()
                return
            location = reply.headers["Location"]
            await pc.setRemoteDescription(RTCSessionDescription(await reply.text(), "answer"))
        # Until the benchmark closes our stdin (or exits, which closes it too).
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        try:
            async with http.delete(origin + location, headers={"Authorization": f"Bearer {token}"}):
                pass
        except aiohttp.ClientError as error:  # the studio stopped first: the session is gone anyway
            print(f"hang-up: {error}", flush=True)
    for reader in readers:
        reader.cancel()
    await pc.close()
    print(f"received audio={received['audio']} video={received['video']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("whep_url", help="the guest's WHEP URL: <base>/whep/<guest id>")
    parser.add_argument("--video", action="store_true", help="also take program video (a guest allowed to see it)")
    arguments = parser.parse_args()
    token = sys.stdin.readline().strip()
    if not token:
        raise SystemExit("guest_return_player: expected the guest's token on the first line of stdin")
    asyncio.run(play(arguments.whep_url, token, video=arguments.video))


if __name__ == "__main__":
    main()
