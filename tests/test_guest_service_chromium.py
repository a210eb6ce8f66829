"""The guest service against a real browser: Debian's Chromium (tests/chromium.py, fake camera and
microphone) speaking WHIP to the service from a page of the service's own origin, with a script
of the test's own instead of the guest page (tested with the page itself elsewhere): what is
checked here is the service's side of the contract with Chromium's WebRTC.

- Chromium's media arrive in the feed (its fake camera's colour, its 1 kHz tone);
- our answer's x-google-start-bitrate is where Chromium's bandwidth estimate starts (its own
  default is 300 kbps), and it climbs to the cap and stops there;
- Chromium decodes the return: the 440 Hz mix-minus is the loudest thing it hears.

A module of its own: Playwright's sync API keeps an event loop running on the test thread, which
the asyncio.run of the other guest service tests would trip on.
"""

from __future__ import annotations

import time

import pytest

from studio.engine.frames import rgb_to_yuv
from studio.engine.sources.guest_feed import GuestState
from studio.guests.service import GuestService
from tests.chromium import FAKE_COLOUR, TONE_HZ
from tests.guest_host import RETURN_TONE_HZ, GuestTestHost, strongest_frequency_hz

TOKEN = "tok-Chromium-Sekr1t-7788-qwerty"
START_KBPS = 1200
CAP_KBPS = 1300  # Chromium climbs about 8% a second from the start: it meets the cap within the test
WAIT_S = 20.0

JOIN = """async ([token]) => {
  const media = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 360}});
  const pc = new RTCPeerConnection();
  window.guestPc = pc;
  pc.ontrack = (event) => {
    if (event.track.kind !== 'audio') return;
    // Chromium plays a remote track into Web Audio only once an element holds its stream.
    const holder = new Audio(); holder.muted = true; holder.srcObject = event.streams[0] || new MediaStream([event.track]);
    const context = new AudioContext({sampleRate: 48000});
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    context.createMediaStreamSource(holder.srcObject).connect(analyser);
    window.returnAnalyser = analyser;
  };
  for (const track of media.getTracks()) pc.addTransceiver(track, {direction: 'sendrecv', streams: [media]});
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 5000);
  });
  const reply = await fetch('/whip/guest-1', {method: 'POST', body: pc.localDescription.sdp,
    headers: {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/sdp'}});
  await pc.setRemoteDescription({type: 'answer', sdp: await reply.text()});
  return reply.status;
}"""

OUTGOING_ESTIMATE = """async () => {
  let estimate = null;
  (await window.guestPc.getStats()).forEach((entry) => {
    if (entry.type === 'candidate-pair' && entry.nominated && entry.availableOutgoingBitrate) estimate = entry.availableOutgoingBitrate;
  });
  return estimate;
}"""

RETURN_SPECTRUM_PEAK_HZ = """() => {
  const analyser = window.returnAnalyser;
  if (!analyser) return null;
  const bins = new Float32Array(analyser.frequencyBinCount);
  analyser.getFloatFrequencyData(bins);
  let best = 1;
  for (let i = 2; i < bins.length; i++) if (bins[i] > bins[best]) best = i;
  return bins[best] > -100 ? best * analyser.context.sampleRate / analyser.fftSize : null;
}"""


def poll(condition, what: str, timeout_s: float = WAIT_S):
    deadline = time.monotonic() + timeout_s
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.05)  # a bounded polling step
    return result


@pytest.mark.slow
def test_chromium_starts_at_the_start_bitrate_climbs_to_the_cap_and_hears_the_return(chromium_pages):
    host = GuestTestHost()
    feed = host.add_guest("guest-1", TOKEN, start_bitrate_kbps=START_KBPS, max_video_bitrate_kbps=CAP_KBPS)
    try:
        with GuestService(host) as service:
            page = chromium_pages.new_page()
            page.goto(f"{service.base_url}/guest-assets/none")  # any page of the service's origin
            assert page.evaluate(JOIN, [TOKEN]) == 201
            frame = feed.wait_frame(WAIT_S)
            assert frame is not None, "no frame from Chromium reached the feed"
            first_estimate = poll(lambda: page.evaluate(OUTGOING_ESTIMATE), "Chromium's first bandwidth estimate")
            estimates = [first_estimate]
            peaks = []
            deadline = time.monotonic() + 6.0
            while time.monotonic() < deadline:  # six seconds of the call, sampled
                estimates.append(page.evaluate(OUTGOING_ESTIMATE) or 0)
                peaks.append(page.evaluate(RETURN_SPECTRUM_PEAK_HZ))
                time.sleep(0.25)  # the sampling pace
            stats = feed.stats()
            heard = feed.accepted_samples()[-24_000:]
    finally:
        host.close()

    y, u, v = rgb_to_yuv(FAKE_COLOUR)
    assert (frame.width, frame.height) == (640, 360)
    assert abs(frame.y.mean() - y) < 12 and abs(frame.u.mean() - u) < 12 and abs(frame.v.mean() - v) < 12
    assert strongest_frequency_hz(heard) == pytest.approx(TONE_HZ, abs=5)
    assert stats.state is GuestState.LIVE and stats.client == "browser"
    # Chromium's estimate starts where the answer said (its own default is 300 kbps) ...
    assert 0.8 * START_KBPS * 1000 <= first_estimate <= CAP_KBPS * 1000, first_estimate
    # ... climbs to the cap, and never over it.
    assert 0.95 * CAP_KBPS * 1000 <= max(estimates) <= CAP_KBPS * 1000, estimates
    heard_back = [peak for peak in peaks if peak is not None]
    assert heard_back and abs(heard_back[-1] - RETURN_TONE_HZ) < 12, peaks


@pytest.mark.slow
def test_the_guest_page_joins_through_its_link_and_leaves(chromium_pages):
    """The real page (studio/guests/page) against the real service: the link as the host hands
    it out, the page's offer, our answer, the guest LIVE, and Leave."""
    host = GuestTestHost()
    feed = host.add_guest("guest-1", TOKEN)
    try:
        with GuestService(host) as service:
            page = chromium_pages.new_page()
            page.goto(service.link("guest-1", TOKEN))
            page.wait_for_selector('#state[data-state="live"]', timeout=WAIT_S * 1000)
            frame = feed.wait_frame(WAIT_S)
            assert frame is not None, "no frame from the guest page reached the feed"
            poll(lambda: feed.stats().state is GuestState.LIVE, "the guest to be LIVE")
            poll(lambda: len(feed.accepted_samples()) >= 24_000, "half a second of the guest's sound")
            live = feed.stats()
            heard = feed.accepted_samples()[-24_000:]
            page.click("#leave")
            poll(lambda: feed.stats().state is GuestState.WAITING, "the guest to have left")
            left = feed.stats()
            sessions_open = service.session_count()
    finally:
        host.close()
    assert live.client == "browser" and live.sessions == 1
    y, u, v = rgb_to_yuv(FAKE_COLOUR)
    assert abs(frame.u.mean() - u) < 12 and abs(frame.v.mean() - v) < 12
    assert strongest_frequency_hz(heard) == pytest.approx(TONE_HZ, abs=5)
    assert left.reason == "left" and sessions_open == 0
    assert host.returns_closed == host.returns_opened
