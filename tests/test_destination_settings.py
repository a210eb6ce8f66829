"""A destination in the show becomes the URL and token the sender uses: RTMP's key in the path,
SRT's settings in the query (libsrt's names and FFmpeg's units), WHIP's key as a bearer token
that never enters the URL. None of it is ever shown unmasked."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from studio.engine.destination_settings import DestinationSpec, SrtMode, SrtSettings
from studio.engine.outputs.stream_target import StreamKind, StreamTarget

KEY = "live_Sekr1t_4242"


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def test_rtmp_keeps_the_key_in_the_path_and_presets_give_the_server():
    spec = DestinationSpec(id="yt", name="YouTube", preset="youtube", stream_key=KEY)
    target = spec.target()
    assert target.url == f"rtmp://a.rtmp.youtube.com/live2/{KEY}"
    assert target.kind is StreamKind.RTMP and target.bearer_token == ""
    assert KEY not in target.masked_url and KEY not in repr(target)


def test_srt_settings_become_the_query_in_libsrt_names_and_units():
    settings = SrtSettings(
        latency_ms=800, overhead_percent=50, max_bandwidth_kbps=8000, fec="fec,cols:10,rows:5",
        passphrase="a-long-passphrase-77", key_length=32, mode=SrtMode.LISTENER,
    )
    spec = DestinationSpec(id="relay", name="Relay", url="srt://relay.example:9000", stream_key=KEY, srt=settings)
    options = query(spec.full_url())
    assert options["latency"] == "800000"  # microseconds, as FFmpeg's libsrt takes it
    assert options["oheadbw"] == "50"
    assert options["maxbw"] == str(8000 * 1000 // 8)  # bytes per second
    assert options["packetfilter"] == "fec,cols:10,rows:5"
    assert options["passphrase"] == "a-long-passphrase-77" and options["pbkeylen"] == "32"
    assert options["mode"] == "listener" and options["streamid"] == KEY
    target = spec.target()
    assert target.kind is StreamKind.SRT and "a-long-passphrase-77" not in target.masked_url


def test_an_option_typed_into_the_srt_url_wins_over_the_setting():
    spec = DestinationSpec(id="s", name="S", url="srt://host:9000?latency=2000000", srt=SrtSettings(latency_ms=300))
    url = spec.full_url()
    assert url.count("latency=") == 1 and query(url)["latency"] == "2000000"


def test_automatic_srt_latency_is_left_to_the_sender():
    url = DestinationSpec(id="s", name="S", url="srt://host:9000").full_url()
    assert "latency" not in query(url)


def test_whip_sends_the_key_as_a_bearer_token_never_in_the_url():
    spec = DestinationSpec(id="w", name="WHIP server", url="https://whip.example/live/whip", stream_key=KEY)
    target = spec.target()
    assert target.kind is StreamKind.WHIP
    assert target.url == "https://whip.example/live/whip" and target.bearer_token == KEY
    assert KEY not in repr(target)


def test_a_target_from_a_pair_and_its_problems():
    assert StreamTarget.of(("out1", "srt://host:1")).kind is StreamKind.SRT
    assert "ftp://" in StreamTarget("x", "ftp://host/k").problem()
    with pytest.raises(ValidationError):
        SrtSettings(key_length=20)
