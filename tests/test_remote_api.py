"""The remote control API (obs-websocket v5) against real clients on loopback: obsws-python
(synchronous, JSON), simpleobsws (asyncio, MessagePack) and raw aiohttp WebSockets for the
protocol's edges (close codes, encodings, limits).

The studio is real: a session on the demo show (1920x1080 at 30 fps) on the real-time clock,
with its selling desk and a comment desk on a temporary database, built as the app builds it.
Waits are on events, replies or bounded polling of the engine's state (poll_until); nothing
sleeps to synchronize. The load test paces its clients' requests, which
is the load, not a wait.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import socket
import struct
import subprocess
import statistics
import threading
import time
import uuid
from pathlib import Path

import aiohttp
import msgpack
import obsws_python as obs
import pytest
import simpleobsws
from obsws_python.error import OBSSDKError, OBSSDKRequestError

from studio.control.remote_api import MSGPACK_PROTOCOL, CloseCode, RemoteControlServer
from studio.control.remote_requests import RemoteRequests, RemoteTarget, Subscription, hotkey_action_ids
from studio.engine.builtin_shows import builtin_show
from studio.engine.sequence import LinkPush
from studio.engine.show import DestinationSpec
from studio.session import SessionOptions, StudioSession
from tests.conftest import ffprobe
from tests.servers import poll_until

PASSWORD = "remote-Sekr1t-0042"
WAIT_S = 15.0


# -- the studio ------------------------------------------------------------------------------------------


class Studio:
    def __init__(self, tmp_path) -> None:
        self.show = builtin_show("demo")
        self.record_folder = tmp_path / "recordings"
        options = SessionOptions(comments_database=tmp_path / "comments.db", recording_folder=self.record_folder)
        self.session = StudioSession(self.show, options)  # the real-time clock
        self.engine = self.session.start()
        self.desk, self.comments = self.session.selling, self.session.comments
        self.target = RemoteTarget.for_session(self.session)
        # Connected before any server: psygnal calls listeners in connection order, so a push is in this
        # list before a server's listener hands the vendor event to its loop (it once overtook it).
        self.pushes = []
        self.engine.events.link_pushed.connect(self.pushes.append)
        self.servers: list[RemoteControlServer] = []
        self.server = self.add_server(password=PASSWORD)

    def add_server(self, **options) -> RemoteControlServer:
        server = RemoteControlServer(studio=self.target, port=0, **options)
        server.start()
        self.servers.append(server)
        return server

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.session.stop()  # the recording too, if a test left one running


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    studio = Studio(tmp_path_factory.mktemp("remote"))
    yield studio
    studio.close()


def req_client(server: RemoteControlServer, password: str = PASSWORD) -> obs.ReqClient:
    return obs.ReqClient(host="127.0.0.1", port=server.port, password=password, timeout=WAIT_S)


class Collected:
    """Events of one type, collected on a client's thread; wait for one matching a test."""

    def __init__(self) -> None:
        self.items: list = []
        self.changed = threading.Condition()

    def add(self, item) -> None:
        with self.changed:
            self.items.append(item)
            self.changed.notify_all()

    def wait_for(self, match, what: str, timeout_s: float = WAIT_S):
        with self.changed:
            found = self.changed.wait_for(lambda: next((i for i in self.items if match(i)), None), timeout_s)
        assert found is not None, f"timed out after {timeout_s} s waiting for {what}; got {self.items}"
        return found


def auth_string(hello: dict, password: str) -> str:
    secret = base64.b64encode(hashlib.sha256((password + hello["authentication"]["salt"]).encode()).digest())
    return base64.b64encode(hashlib.sha256(secret + hello["authentication"]["challenge"].encode()).digest()).decode()


async def raw_connect(server: RemoteControlServer, *, protocols=()):
    session = aiohttp.ClientSession()
    ws = await session.ws_connect(server.url, protocols=protocols, timeout=aiohttp.ClientWSTimeout(ws_close=WAIT_S))
    return session, ws


async def closed_with(ws) -> tuple[int, str]:
    """Read until the server closes; the close code and reason."""
    while True:
        message = await asyncio.wait_for(ws.receive(), WAIT_S)
        if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
            return ws.close_code, str(message.extra or "")


# -- connecting, scenes and the studio mode ------------------------------------------------------------


def test_obsws_python_gets_the_version_and_drives_scenes(studio):
    server = studio.server
    scenes_seen = Collected()

    def on_current_program_scene_changed(data):
        scenes_seen.add(("program", data.scene_name, data.scene_uuid))

    def on_current_preview_scene_changed(data):
        scenes_seen.add(("preview", data.scene_name, data.scene_uuid))

    events = obs.EventClient(host="127.0.0.1", port=server.port, password=PASSWORD, subs=obs.Subs.SCENES)
    events.callback.register([on_current_program_scene_changed, on_current_preview_scene_changed])
    client = req_client(server)
    try:
        version = client.get_version()
        assert version.obs_version == "30.0.0" and version.obs_web_socket_version == "5.5.0" and version.rpc_version == 1
        assert version.supported_image_formats == ["png", "jpg"] and version.platform and version.platform_description
        assert set(version.available_requests) == set(RemoteRequests.available_requests())
        for implemented in ("GetSceneList", "TriggerStudioModeTransition", "SetInputMute", "CallVendorRequest", "StartRecord"):
            assert implemented in version.available_requests

        listed = client.get_scene_list()
        names = [scene["sceneName"] for scene in listed.scenes]
        assert names == ["GUEST", "PIP", "GRID", "DETAIL", "BACK", "SIDE", "FRONT"]  # OBS order: the last scene first
        assert [scene["sceneIndex"] for scene in listed.scenes] == list(range(7))
        assert {scene["sceneUuid"] for scene in listed.scenes} == {s.id for s in studio.show.scenes}
        assert listed.current_program_scene_name == studio.engine.program_scene
        assert listed.current_preview_scene_name == studio.engine.preview_scene

        client.set_current_program_scene("GRID")
        poll_until(lambda: studio.engine.program_scene == "GRID", WAIT_S, "GRID on program")
        scenes_seen.wait_for(lambda e: e == ("program", "GRID", "grid"), "CurrentProgramSceneChanged GRID")
        assert client.get_current_program_scene().scene_name == "GRID"

        client.send("SetCurrentPreviewScene", {"sceneUuid": "back"})  # by uuid: the scene's id
        poll_until(lambda: studio.engine.preview_scene == "BACK", WAIT_S, "BACK on preview")
        scenes_seen.wait_for(lambda e: e == ("preview", "BACK", "back"), "CurrentPreviewSceneChanged BACK")
        preview = client.get_current_preview_scene()
        assert (preview.scene_name, preview.scene_uuid, preview.current_preview_scene_name) == ("BACK", "back", "BACK")

        assert client.get_studio_mode_enabled().studio_mode_enabled is True
        client.set_studio_mode_enabled(True)
        with pytest.raises(OBSSDKRequestError) as refused:
            client.set_studio_mode_enabled(False)
        assert refused.value.code == 702 and "studio mode" in str(refused.value)

        client.set_current_scene_transition("Cut")
        assert client.get_current_scene_transition().transition_fixed is True
        client.trigger_studio_mode_transition()
        poll_until(lambda: studio.engine.program_scene == "BACK", WAIT_S, "the transition to BACK")
        scenes_seen.wait_for(lambda e: e == ("program", "BACK", "back"), "CurrentProgramSceneChanged BACK")

        client.set_current_scene_transition("Mix")
        client.set_current_scene_transition_duration(200)
        transition = client.get_current_scene_transition()
        assert (transition.transition_name, transition.transition_kind, transition.transition_duration) == ("Mix", "fade_transition", 200)
        listed_transitions = client.get_scene_transition_list()
        assert [t["transitionName"] for t in listed_transitions.transitions] == ["Cut", "Mix", "Wipe", "Dip to colour"]
        assert "fade_transition" in client.get_transition_kind_list().transition_kinds
        client.set_current_preview_scene("SIDE")
        poll_until(lambda: studio.engine.preview_scene == "SIDE", WAIT_S, "SIDE on preview")
        client.trigger_studio_mode_transition()
        poll_until(lambda: studio.engine.program_scene == "SIDE", WAIT_S, "the 200 ms mix to SIDE")

        with pytest.raises(OBSSDKRequestError) as unknown:
            client.set_current_program_scene("NO SUCH SCENE")
        assert unknown.value.code == 600
        with pytest.raises(OBSSDKRequestError) as missing:
            client.send("SetCurrentProgramScene", {})
        assert missing.value.code == 300

        items = client.get_scene_item_list("PIP").scene_items
        assert [(i["sceneItemId"], i["sourceName"], i["sceneItemEnabled"]) for i in items] == [(1, "FRONT", True), (2, "DETAIL", True)]
        assert client.get_scene_item_id("PIP", "DETAIL").scene_item_id == 2
        client.set_scene_item_enabled("PIP", 2, True)  # already shown: nothing to do
        client.set_scene_item_enabled("PIP", 2, False)
        assert client.get_scene_item_enabled("PIP", 2).scene_item_enabled is False
        assert [layer.visible for layer in studio.session.layers("PIP")] == [True, False]
        client.set_scene_item_enabled("PIP", 2, True)
    finally:
        client.disconnect()
        events.disconnect()


def test_an_unknown_request_answers_204_and_nothing_else(studio):
    client = req_client(studio.server)
    try:
        for request_type in ("GetSourceScreenshot", "NoSuchRequest"):
            with pytest.raises(OBSSDKRequestError) as error:
                client.send(request_type, {"sourceName": "FRONT"})
            assert error.value.code == 204
        with pytest.raises(OBSSDKRequestError) as outside_batch:
            client.send("Sleep", {"sleepMillis": 1})
        assert outside_batch.value.code == 206
        assert client.get_version().rpc_version == 1  # the connection is still fine
    finally:
        client.disconnect()


def test_get_stats_counts_frames_and_this_sessions_messages(studio):
    client = req_client(studio.server)
    try:
        first = client.get_stats()
        poll_until(lambda: studio.engine.stats().frames_produced >= first.output_total_frames + 15, WAIT_S, "half a second of frames")
        stats = client.get_stats()
        assert stats.output_total_frames > first.output_total_frames
        # The program's own counters (monotonic): what was reported is at most what is counted now.
        assert stats.render_skipped_frames <= studio.engine.stats().frames_dropped
        assert stats.render_total_frames >= stats.output_total_frames
        assert stats.memory_usage > 10 and stats.available_disk_space > 0 and stats.cpu_usage >= 0
        assert stats.average_frame_render_time > 0
        # Hello, Identify/Identified and two requests and answers: counted per session.
        assert stats.web_socket_session_incoming_messages == 3 and stats.web_socket_session_outgoing_messages == 3
    finally:
        client.disconnect()


# -- audio inputs ------------------------------------------------------------------------------------


def test_mute_volume_and_their_events(studio):
    server = studio.server
    changes = Collected()

    def on_input_mute_state_changed(data):
        changes.add(("mute", data.input_name, data.input_uuid, data.input_muted))

    def on_input_volume_changed(data):
        changes.add(("volume", data.input_name, round(data.input_volume_db, 3)))

    events = obs.EventClient(host="127.0.0.1", port=server.port, password=PASSWORD, subs=obs.Subs.INPUTS)
    events.callback.register([on_input_mute_state_changed, on_input_volume_changed])
    client = req_client(server)
    try:
        inputs = client.get_input_list().inputs
        assert {"inputName": "Tone", "inputUuid": "tone", "inputKind": "tone"}.items() <= inputs[0].items()
        assert {i["inputName"] for i in inputs} == {"Tone", "Guest 1 voice", "FRONT", "SIDE", "BACK", "DETAIL", "Guest 1"}
        assert client.get_input_audio_tracks("Tone").input_audio_tracks["1"] is True

        client.set_input_mute("Tone", True)
        assert studio.engine.audio_input("tone").muted is True
        changes.wait_for(lambda c: c == ("mute", "Tone", "tone", True), "InputMuteStateChanged muted")
        assert client.get_input_mute("Tone").input_muted is True
        assert client.toggle_input_mute("Tone").input_muted is False
        changes.wait_for(lambda c: c == ("mute", "Tone", "tone", False), "InputMuteStateChanged unmuted")

        client.set_input_volume("Tone", vol_db=-6.0)
        changes.wait_for(lambda c: c == ("volume", "Tone", -6.0), "InputVolumeChanged -6 dB")
        volume = client.get_input_volume("Tone")
        assert volume.input_volume_db == -6.0 and volume.input_volume_mul == pytest.approx(0.501187, rel=1e-4)
        client.set_input_volume("Tone", vol_mul=1.0)
        assert studio.engine.audio_input("tone").gain_db == 0.0

        # A change made elsewhere (the GUI, a hotkey) is told too.
        studio.engine.set_input_muted("tone", True)
        changes.wait_for(lambda c: c == ("mute", "Tone", "tone", True) and changes.items.count(c) == 2, "a mute made in the studio")
        client.trigger_hot_key_by_name("mute_input.tone")  # the mixer's mute hotkey: a toggle
        changes.wait_for(lambda c: c == ("mute", "Tone", "tone", False) and changes.items.count(c) == 2, "the mute hotkey")
        assert studio.engine.audio_input("tone").muted is False
        with pytest.raises(OBSSDKRequestError) as no_destination:
            client.trigger_hot_key_by_name("stream.toggle")
        assert no_destination.value.code == 702 and "destinations" in str(no_destination.value)

        with pytest.raises(OBSSDKRequestError) as video:
            client.get_input_mute("FRONT")
        assert video.value.code == 604  # a video source has no audio
        with pytest.raises(OBSSDKRequestError) as unknown:
            client.get_input_mute("No such input")
        assert unknown.value.code == 600
        with pytest.raises(OBSSDKRequestError) as both:
            client.send("SetInputVolume", {"inputName": "Tone", "inputVolumeDb": -3, "inputVolumeMul": 0.5})
        assert both.value.code == 404
        with pytest.raises(OBSSDKRequestError) as loud:
            client.send("SetInputVolume", {"inputName": "Tone", "inputVolumeDb": 26})
        assert loud.value.code == 402  # above the mixer's +24 dB
    finally:
        client.disconnect()
        events.disconnect()


# -- hotkeys, vendor requests, batches (simpleobsws: asyncio + MessagePack) ------------------------------


async def simple_client(server: RemoteControlServer, subscriptions: int, password: str = PASSWORD) -> simpleobsws.WebSocketClient:
    client = simpleobsws.WebSocketClient(
        url=server.url,
        password=password,
        identification_parameters=simpleobsws.IdentificationParameters(eventSubscriptions=subscriptions),
    )
    await client.connect()
    assert await client.wait_until_identified(timeout=WAIT_S), "simpleobsws did not identify"
    return client


def test_the_link_hotkey_pushes_the_link_and_a_vendor_event_says_so(studio):
    async def scenario() -> None:
        client = await simple_client(studio.server, int(Subscription.VENDORS))
        vendor_events: asyncio.Queue = asyncio.Queue()

        async def on_vendor_event(data):
            await vendor_events.put(data)

        client.register_event_callback(on_vendor_event, "VendorEvent")
        try:
            hotkeys = await client.call(simpleobsws.Request("GetHotkeyList"))
            assert hotkeys.ok() and hotkeys.responseData["hotkeys"] == hotkey_action_ids(studio.show)
            pushes_before = len(studio.pushes)
            triggered = await client.call(simpleobsws.Request("TriggerHotkeyByName", {"hotkeyName": "link_321"}))
            assert triggered.ok()
            while True:  # the run takes three seconds of show time; product changes may come first
                event = await asyncio.wait_for(vendor_events.get(), WAIT_S)
                if event["eventType"] == "link_pushed":
                    break
            assert event["vendorName"] == "studio"
            push = studio.pushes[pushes_before]
            assert event["eventData"] == {
                "productId": push.product_id,
                "title": push.title,
                "link": push.link,
                "tick": push.tick,
                "mediaTimeS": round(push.media_time_ns / 1e9, 3),
            }
            assert push.product_id == studio.desk.current_product.id
            unknown = await client.call(simpleobsws.Request("TriggerHotkeyByName", {"hotkeyName": "OBSBasic.StartStreaming"}))
            assert unknown.requestStatus.code == 600
        finally:
            await client.disconnect()

    asyncio.run(scenario())


def test_vendor_requests_drive_the_selling_and_comment_desks(studio):
    comment = studio.comments.inject({"id": "remote-1", "platform": "douyin", "user": "小美", "text": "3号多少钱？"})

    async def scenario() -> None:
        client = await simple_client(studio.server, int(Subscription.VENDORS))

        async def vendor(request_type: str, data: dict | None = None, vendor_name: str = "studio"):
            payload = {"vendorName": vendor_name, "requestType": request_type}
            if data is not None:
                payload["requestData"] = data
            return await client.call(simpleobsws.Request("CallVendorRequest", payload))

        try:
            selected = await vendor("select_product", {"product": "mug-red"})
            assert selected.ok(), selected.requestStatus
            assert selected.responseData["vendorName"] == "studio" and selected.responseData["requestType"] == "select_product"
            assert selected.responseData["responseData"]["product"]["productId"] == "mug-red"
            poll_until(lambda: studio.engine.preview_scene == "DETAIL", WAIT_S, "the mug's preset on preview")

            stock = await vendor("set_stock", {"product": "mug-red", "stock": 3})
            assert stock.ok() and studio.desk.product("mug-red").stock == 3
            sold_out = await vendor("sold_out", {"product": 2, "soldOut": True})  # by run sheet number
            assert sold_out.ok() and studio.desk.product("mug-red").sold_out
            await vendor("sold_out", {"product": "mug-red", "soldOut": False})
            following = await vendor("next_product")
            assert following.responseData["responseData"]["product"]["productId"] == "scarf-silk"
            listed = await vendor("get_products")
            assert listed.responseData["responseData"]["currentProduct"] == "scarf-silk"
            assert (await vendor("dismiss_card")).ok()

            pinned = await vendor("pin_comment", {"rowid": comment.rowid})
            assert pinned.ok() and pinned.responseData["responseData"]["text"] == "3号多少钱？"
            assert (await vendor("unpin_comment")).ok()

            for request, code in (
                (vendor("select_product", {"product": "no-such"}), 600),
                (vendor("no_such_request"), 600),
                (vendor("select_product", {"product": "mug-red"}, vendor_name="obs-shaderfilter"), 600),
                (vendor("set_stock", {"product": "mug-red"}), 300),
                (vendor("set_stock", {"product": "mug-red", "stock": -1}), 402),
                (vendor("pin_comment", {"rowid": 999_999}), 600),
            ):
                answer = await request
                assert answer.requestStatus.code == code, (answer.requestStatus, code)
        finally:
            await client.disconnect()

    asyncio.run(scenario())


def test_vendor_requests_edit_the_vertical_layout_and_place_its_overlays(studio):
    async def scenario() -> None:
        client = await simple_client(studio.server, 0)

        async def vendor(request_type: str, data: dict | None = None):
            payload = {"vendorName": "studio", "requestType": request_type, "requestData": data or {}}
            return await client.call(simpleobsws.Request("CallVendorRequest", payload))

        def answer(response) -> dict:
            assert response.ok(), response.requestStatus
            return response.responseData["responseData"]

        try:
            listed = answer(await vendor("get_canvas_scene_items", {"canvas": "vertical", "sceneName": "GRID"}))
            assert listed["derived"] and [item["sourceName"] for item in listed["sceneItems"]] == ["FRONT", "SIDE", "BACK", "DETAIL"]
            cell = listed["sceneItems"][3]
            assert (cell["x"], cell["y"], cell["width"], cell["height"]) == (540, 960, 540, 960)  # derived: a tall 2x2
            moved = answer(await vendor("set_canvas_scene_item", {"canvas": "vertical", "sceneName": "GRID", "sceneItemId": cell["sceneItemId"], "y": 1000}))
            assert moved["sceneItem"]["y"] == 1000 and moved["sceneItem"]["x"] == 540
            after = answer(await vendor("get_canvas_scene_items", {"canvas": "vertical", "sceneName": "GRID"}))
            assert not after["derived"] and after["sceneItems"][3]["y"] == 1000
            main_items = await client.call(simpleobsws.Request("GetSceneItemList", {"sceneName": "GRID"}))
            assert [item["sceneItemTransform"]["positionY"] for item in main_items.responseData["sceneItems"]][3] == 540  # main untouched
            assert answer(await vendor("reset_canvas_layout", {"canvas": "vertical", "sceneName": "GRID"}))["derived"]
            assert "vertical" not in studio.session.show.scene_by_ref("GRID").canvases

            placed = answer(await vendor("set_canvas_overlays", {"canvas": "vertical", "overlays": {"card": {"anchor": "bottom", "margin_px": 300}}}))
            assert placed["overlays"] == {"card": {"anchor": "bottom", "margin_px": 300, "scale_percent": 100, "visible": True}}
            assert answer(await vendor("get_canvas_overlays", {"canvas": "vertical"}))["overlays"] == placed["overlays"]

            for request, code in (
                (vendor("get_canvas_scene_items", {"canvas": "square", "sceneName": "GRID"}), 600),
                (vendor("get_canvas_scene_items", {"canvas": "vertical", "sceneName": "NOPE"}), 600),
                (vendor("set_canvas_scene_item", {"canvas": "vertical", "sceneName": "GRID", "sceneItemId": 9, "x": 0}), 600),
                (vendor("set_canvas_scene_item", {"canvas": "vertical", "sceneName": "GRID", "sceneItemId": 1, "x": 5000}), 702),
                (vendor("set_canvas_scene_item", {"canvas": "vertical", "sceneName": "GRID", "sceneItemId": 1, "x": "left"}), 401),
                (vendor("set_canvas_overlays", {"canvas": "vertical", "overlays": {"banner": {}}}), 702),
                (vendor("set_canvas_overlays", {"canvas": "vertical"}), 300),
            ):
                response = await request
                assert response.requestStatus.code == code, (response.requestStatus, code)
        finally:
            await client.disconnect()

    asyncio.run(scenario())


def test_vendor_requests_list_the_canvases_and_record_the_vertical_one(studio):
    async def scenario() -> None:
        client = await simple_client(studio.server, 0)

        async def vendor(request_type: str, data: dict | None = None):
            payload = {"vendorName": "studio", "requestType": request_type, "requestData": data or {}}
            return await client.call(simpleobsws.Request("CallVendorRequest", payload))

        try:
            listed = await vendor("get_canvases")
            assert listed.ok() and listed.responseData["responseData"]["canvases"] == [
                {"canvasName": "main", "width": 1920, "height": 1080, "fps": 30},
                {"canvasName": "vertical", "width": 1080, "height": 1920, "fps": 30},
            ]
            unknown = await vendor("start_canvas_record", {"canvas": "square"})
            assert unknown.requestStatus.code == 600 and "vertical" in unknown.requestStatus.comment
            started = await vendor("start_canvas_record", {"canvas": "vertical"})
            assert started.ok(), started.requestStatus
            path = started.responseData["responseData"]["outputPath"]
            assert path.endswith("-vertical.mkv") and path.startswith(str(studio.record_folder))
            poll_until(lambda: studio.engine.canvas_recording_stats("vertical").frames_encoded >= 10, WAIT_S, "vertical frames")
            assert (await client.call(simpleobsws.Request("StopRecord"))).requestStatus.code == 501  # main is not recording
            stopped = await vendor("stop_canvas_record", {"canvas": "vertical"})
            assert stopped.ok(), stopped.requestStatus
            encoded = studio.engine.canvas_recording_stats("vertical")

            def finished_whole() -> bool:  # the file is closed and holds every frame encoded
                try:
                    video = next(s for s in ffprobe(Path(path))["streams"] if s["codec_type"] == "video")
                except (subprocess.CalledProcessError, StopIteration):
                    return False  # not written far enough yet
                return int(video.get("nb_read_frames", -1)) == encoded.frames_encoded

            poll_until(finished_whole, WAIT_S, "the vertical recording closed")
            height = next(s for s in ffprobe(Path(path))["streams"] if s["codec_type"] == "video")["height"]
            assert height == 1920
        finally:
            await client.disconnect()

    asyncio.run(scenario())


def test_a_request_batch_runs_in_order_with_variables_and_halts_on_failure(studio):
    async def scenario() -> None:
        client = await simple_client(studio.server, 0)
        try:
            results = await client.call_batch(
                [
                    simpleobsws.Request("SetCurrentPreviewScene", {"sceneName": "GRID"}),
                    simpleobsws.Request("GetCurrentProgramScene", outputVariables={"programName": "sceneName"}),
                    simpleobsws.Request("Sleep", {"sleepMillis": 10}),
                    simpleobsws.Request("GetSceneItemList", inputVariables={"sceneName": "programName"}),
                    simpleobsws.Request("NoSuchRequest"),
                    simpleobsws.Request("GetStudioModeEnabled"),
                ],
                timeout=WAIT_S,
            )
            assert [r.requestType for r in results] == [
                "SetCurrentPreviewScene", "GetCurrentProgramScene", "Sleep", "GetSceneItemList", "NoSuchRequest", "GetStudioModeEnabled"
            ]
            assert [r.requestStatus.code for r in results] == [100, 100, 100, 100, 204, 100]
            program = results[1].responseData["sceneName"]
            program_sources = {studio.show.source_by_ref(s).name for s in studio.engine.scene_source_ids(program)}
            assert {item["sourceName"] for item in results[3].responseData["sceneItems"]} == program_sources
            poll_until(lambda: studio.engine.preview_scene == "GRID", WAIT_S, "GRID on preview")

            halted = await client.call_batch(
                [simpleobsws.Request("GetVersion"), simpleobsws.Request("SetCurrentPreviewScene", {"sceneName": "NOPE"}),
                 simpleobsws.Request("SetCurrentPreviewScene", {"sceneName": "PIP"})],
                halt_on_failure=True,
                timeout=WAIT_S,
            )
            assert [r.requestStatus.code for r in halted] == [100, 600]
            assert studio.engine.preview_scene == "GRID"  # the third request never ran

            frames = await client.call_batch(
                [simpleobsws.Request("Sleep", {"sleepFrames": 3}), simpleobsws.Request("GetStudioModeEnabled")],
                execution_type=simpleobsws.RequestBatchExecutionType.SerialFrame,
                timeout=WAIT_S,
            )
            assert [r.requestStatus.code for r in frames] == [100, 100]
        finally:
            await client.disconnect()

    asyncio.run(scenario())


# -- going live and recording -----------------------------------------------------------------------


def test_record_through_the_api_with_a_chapter_and_its_events(studio):
    server = studio.server
    outputs = Collected()

    def on_record_state_changed(data):
        outputs.add((data.output_state, data.output_active, data.output_path))

    events = obs.EventClient(host="127.0.0.1", port=server.port, password=PASSWORD, subs=obs.Subs.OUTPUTS)
    events.callback.register(on_record_state_changed)
    client = req_client(server)
    try:
        assert client.get_record_status().output_active is False
        with pytest.raises(OBSSDKRequestError) as not_running:
            client.stop_record()
        assert not_running.value.code == 501
        client.start_record()
        started = outputs.wait_for(lambda o: o[0] == "OBS_WEBSOCKET_OUTPUT_STARTED", "RecordStateChanged STARTED")
        path = started[2]
        assert path.startswith(str(studio.record_folder)) and path.endswith(".mkv") and started[1] is True
        with pytest.raises(OBSSDKRequestError) as running:
            client.start_record()
        assert running.value.code == 500
        client.create_record_chapter("remote chapter")
        poll_until(lambda: studio.engine.recording_stats.bytes_recorded > 0, WAIT_S, "bytes in the recording")
        status = client.get_record_status()
        assert status.output_active is True and status.output_bytes > 0 and status.output_timecode.count(":") == 2
        stopped = client.stop_record()
        assert stopped.output_path == path
        outputs.wait_for(lambda o: o == ("OBS_WEBSOCKET_OUTPUT_STOPPED", False, path), "RecordStateChanged STOPPED")
        chapters = json.loads(Path(path + ".chapters.json").read_text())
        assert "remote chapter" in json.dumps(chapters, ensure_ascii=False)

        # Going live needs destinations: the demo show has none, and says so.
        with pytest.raises(OBSSDKRequestError) as live:
            client.start_stream()
        assert live.value.code == 702 and "destinations" in str(live.value)
        with pytest.raises(OBSSDKRequestError) as not_live:
            client.stop_stream()
        assert not_live.value.code == 501
        stream = client.get_stream_status()
        assert stream.output_active is False and stream.output_timecode == "00:00:00.000"
    finally:
        client.disconnect()
        events.disconnect()


def test_go_live_and_end_through_the_api_with_stream_state_events(studio, rtmp_server):
    """StartStream goes live to the show's enabled destinations (a private nginx-rtmp here):
    StreamStateChanged STARTING then STARTED; StopStream: STOPPING then STOPPED."""
    destination = DestinationSpec(id="local", name="Local RTMP", url=rtmp_server.url("").rstrip("/"), stream_key="remote")
    document = studio.session.show
    studio.session.set_document(document.model_copy(update={"destinations": [destination]}))
    server = studio.add_server(password=PASSWORD)
    target = studio.target
    states = Collected()

    def on_stream_state_changed(data):
        states.add((data.output_state, data.output_active))

    events = obs.EventClient(host="127.0.0.1", port=server.port, password=PASSWORD, subs=obs.Subs.OUTPUTS)
    events.callback.register(on_stream_state_changed)
    client = req_client(server)
    try:
        client.start_stream()
        states.wait_for(lambda s: s == ("OBS_WEBSOCKET_OUTPUT_STARTED", True), "StreamStateChanged STARTED")
        assert states.items[0] == ("OBS_WEBSOCKET_OUTPUT_STARTING", False)
        with pytest.raises(OBSSDKRequestError) as running:
            client.start_stream()
        assert running.value.code == 500
        poll_until(lambda: client.get_stream_status().output_duration > 500, WAIT_S, "half a second live")
        status = client.get_stream_status()
        assert status.output_active is True and status.output_reconnecting is False and status.output_total_frames > 0
        client.stop_stream()
        states.wait_for(lambda s: s == ("OBS_WEBSOCKET_OUTPUT_STOPPED", False), "StreamStateChanged STOPPED")
        assert ("OBS_WEBSOCKET_OUTPUT_STOPPING", False) in states.items
        assert client.get_stream_status().output_active is False
        assert rtmp_server.wait_for_recordings("remote", 1, timeout_s=WAIT_S)  # the platform got the stream
    finally:
        client.disconnect()
        events.disconnect()
        if target.is_streaming():
            target.stop_stream()
        studio.session.set_document(document)


# -- the protocol's edges (raw clients) ----------------------------------------------------------------


def test_a_wrong_password_is_closed_with_4009(studio):
    with pytest.raises(OBSSDKError, match="failed to identify"):  # obsws-python reads the close as this
        req_client(studio.server, password="not-the-password")

    async def scenario() -> None:
        session, ws = await raw_connect(studio.server)
        try:
            hello = json.loads((await ws.receive()).data)
            assert hello["op"] == 0 and hello["d"]["rpcVersion"] == 1 and "challenge" in hello["d"]["authentication"]
            await ws.send_str(json.dumps({"op": 1, "d": {"rpcVersion": 1, "authentication": auth_string(hello["d"], "wrong")}}))
            code, reason = await closed_with(ws)
            assert code == CloseCode.AUTHENTICATION_FAILED and "Authentication failed" in reason
        finally:
            await session.close()
        session, ws = await raw_connect(studio.server)
        try:
            await ws.receive()
            await ws.send_str(json.dumps({"op": 1, "d": {"rpcVersion": 1}}))  # no authentication at all
            assert (await closed_with(ws))[0] == CloseCode.AUTHENTICATION_FAILED
        finally:
            await session.close()

    asyncio.run(scenario())
    assert studio.server.stats().auth_failures >= 2


def test_protocol_violations_are_closed_with_their_codes(studio):
    async def identified(ws) -> None:
        hello = json.loads((await ws.receive()).data)
        await ws.send_str(json.dumps({"op": 1, "d": {"rpcVersion": 1, "authentication": auth_string(hello["d"], PASSWORD)}}))
        assert json.loads((await ws.receive()).data) == {"op": 2, "d": {"negotiatedRpcVersion": 1}}

    async def expect(send, code: int, *, identify: bool = False) -> None:
        session, ws = await raw_connect(studio.server)
        try:
            if identify:
                await identified(ws)
            else:
                await ws.receive()  # Hello
            await send(ws)
            got, reason = await closed_with(ws)
            assert got == code, (got, reason)
        finally:
            await session.close()

    request = {"op": 6, "d": {"requestType": "GetVersion", "requestId": "1"}}

    async def scenario() -> None:
        await expect(lambda ws: ws.send_str(json.dumps(request)), CloseCode.NOT_IDENTIFIED)
        await expect(lambda ws: ws.send_str("{not json"), CloseCode.MESSAGE_DECODE_ERROR)
        await expect(lambda ws: ws.send_bytes(b"\x81\xa2op\x06"), CloseCode.MESSAGE_DECODE_ERROR)  # binary on JSON
        await expect(lambda ws: ws.send_str(json.dumps({"op": 1, "d": {"rpcVersion": 2}})), CloseCode.AUTHENTICATION_FAILED)
        await expect(lambda ws: ws.send_str(json.dumps({"request-type": "GetVersion", "message-id": "1"})), CloseCode.UNSUPPORTED_RPC_VERSION)
        await expect(lambda ws: ws.send_str(json.dumps({"op": 1})), CloseCode.MISSING_DATA_FIELD)
        await expect(lambda ws: ws.send_str(json.dumps({"op": 42, "d": {}})), CloseCode.UNKNOWN_OP_CODE, identify=True)
        await expect(lambda ws: ws.send_str(json.dumps({"op": 1, "d": {"rpcVersion": 1}})), CloseCode.ALREADY_IDENTIFIED, identify=True)
        await expect(lambda ws: ws.send_str(json.dumps({"op": 6, "d": {"requestType": "GetVersion"}})), CloseCode.MISSING_DATA_FIELD, identify=True)
        await expect(lambda ws: ws.send_str(json.dumps({"op": 3, "d": {"eventSubscriptions": -1}})), CloseCode.INVALID_DATA_FIELD_TYPE, identify=True)
        await expect(lambda ws: ws.send_str("x" * (1024 * 1024 + 1)), aiohttp.WSCloseCode.MESSAGE_TOO_BIG, identify=True)

    asyncio.run(scenario())


def test_an_unsupported_rpc_version_is_closed_with_4010_and_no_password_needs_no_authentication(studio):
    open_server = studio.add_server(password=None)

    async def scenario() -> None:
        session, ws = await raw_connect(open_server)
        try:
            hello = json.loads((await ws.receive()).data)
            assert "authentication" not in hello["d"]
            await ws.send_str(json.dumps({"op": 1, "d": {"rpcVersion": 2}}))
            assert (await closed_with(ws))[0] == CloseCode.UNSUPPORTED_RPC_VERSION
        finally:
            await session.close()

    asyncio.run(scenario())
    client = obs.ReqClient(host="127.0.0.1", port=open_server.port, password="", timeout=WAIT_S)
    try:
        assert client.get_version().rpc_version == 1
    finally:
        client.disconnect()


def test_msgpack_subprotocol_with_a_raw_client(studio):
    async def scenario() -> None:
        session, ws = await raw_connect(studio.server, protocols=(MSGPACK_PROTOCOL,))
        try:
            assert ws.protocol == MSGPACK_PROTOCOL
            first = await ws.receive()
            assert first.type is aiohttp.WSMsgType.BINARY
            hello = msgpack.unpackb(first.data)
            identify = {"op": 1, "d": {"rpcVersion": 1, "authentication": auth_string(hello["d"], PASSWORD), "eventSubscriptions": 0}}
            await ws.send_bytes(msgpack.packb(identify))
            assert msgpack.unpackb((await ws.receive()).data) == {"op": 2, "d": {"negotiatedRpcVersion": 1}}
            request_id = str(uuid.uuid4())
            await ws.send_bytes(msgpack.packb({"op": 6, "d": {"requestType": "GetSceneList", "requestId": request_id}}))
            answer = await ws.receive()
            assert answer.type is aiohttp.WSMsgType.BINARY
            reply = msgpack.unpackb(answer.data)
            assert reply["op"] == 7 and reply["d"]["requestId"] == request_id
            assert reply["d"]["requestStatus"] == {"result": True, "code": 100}
            assert len(reply["d"]["responseData"]["scenes"]) == 7
            await ws.send_str("{}")  # text on a MessagePack session
            assert (await closed_with(ws))[0] == CloseCode.MESSAGE_DECODE_ERROR
        finally:
            await session.close()

    asyncio.run(scenario())


def test_clients_beyond_the_limit_are_refused(studio):
    small = studio.add_server(password=PASSWORD, max_clients=2)

    async def scenario() -> None:
        opened = [await raw_connect(small) for _ in range(2)]
        try:
            for _session, ws in opened:
                assert json.loads((await ws.receive()).data)["op"] == 0
            session, ws = await raw_connect(small)
            try:
                code, reason = await closed_with(ws)
                assert code == CloseCode.UNKNOWN_REASON and "too many clients" in reason
            finally:
                await session.close()
        finally:
            for session, _ws in opened:
                await session.close()

    asyncio.run(scenario())


def _read_frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, payload) of each unmasked frame a server sent, in order."""
    frames, at = [], 0
    while at + 2 <= len(data):
        opcode, length, at = data[at] & 0x0F, data[at + 1] & 0x7F, at + 2
        if length == 126:
            length, at = struct.unpack("!H", data[at : at + 2])[0], at + 2
        elif length == 127:
            length, at = struct.unpack("!Q", data[at : at + 8])[0], at + 8
        frames.append((opcode, data[at : at + length]))
        at += length
    return frames


def _masked_text_frame(text: str) -> bytes:
    payload, mask = text.encode(), os.urandom(4)
    assert len(payload) < 126
    return bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def test_a_client_that_stops_reading_is_closed_with_4000_and_the_others_go_on(studio):
    """A client that never reads while big events pile up: once its queue overflows it is
    closed with 4000 and a reason; the engine and the other clients never wait for it."""
    server = studio.add_server(password=None, max_queued_messages=8)
    stuck = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the server's sends block soon
    stuck.settimeout(WAIT_S)
    stuck.connect(("127.0.0.1", server.port))
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        stuck.sendall(
            f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        received = b""
        while b"\r\n\r\n" not in received:
            received += stuck.recv(4096)
        assert received.startswith(b"HTTP/1.1 101")
        stuck.sendall(_masked_text_frame(json.dumps({"op": 1, "d": {"rpcVersion": 1, "eventSubscriptions": int(Subscription.VENDORS)}})))
        poll_until(lambda: server.stats().identified == 1, WAIT_S, "the stuck client to identify")

        title = "x" * 100_000
        for tick in range(200):  # 20 MB of link pushes, announced as the program thread would
            studio.engine.events.link_pushed.emit(LinkPush("tee-white", title, None, {}, tick=tick, media_time_ns=0))
        poll_until(lambda: server.stats().closed_slow == 1, WAIT_S, "the stuck client to be closed")

        client = obs.ReqClient(host="127.0.0.1", port=server.port, password="", timeout=WAIT_S)
        try:
            assert client.get_version().rpc_version == 1  # the server still answers everyone else
        finally:
            client.disconnect()

        data = received.split(b"\r\n\r\n", 1)[1]
        while chunk := stuck.recv(1 << 20):  # what was in flight, then the close frame, then EOF
            data += chunk
        close = [payload for opcode, payload in _read_frames(data) if opcode == 0x8]
        assert close, "no close frame"
        assert struct.unpack("!H", close[0][:2])[0] == CloseCode.UNKNOWN_REASON
        assert b"too slow" in close[0][2:]
    finally:
        stuck.close()


# -- under load ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_twenty_clients_and_meters_while_the_program_runs_in_real_time(studio):
    """20 clients (simpleobsws) make a request every 100 ms each, one of them subscribed to the
    volume meters, for 5 s of a 1080p30 show in real time: every request is answered, meters
    come at about 20 a second, and the program drops no frame."""
    duration_s = 5.0
    round_trips: list[float] = []
    meters: list[tuple[float, dict]] = []
    media_s: list[float] = []

    async def scenario() -> None:
        clients = [await simple_client(studio.server, int(Subscription.ALL)) for _ in range(19)]
        listener = await simple_client(studio.server, int(Subscription.ALL | Subscription.INPUT_VOLUME_METERS))
        clients.append(listener)

        async def on_meters(data):
            meters.append((time.monotonic(), data))

        listener.register_event_callback(on_meters, "InputVolumeMeters")
        stats_before = studio.engine.stats()
        deadline = time.monotonic() + duration_s
        requests = ["GetVersion", "GetSceneList", "GetStats", "GetInputMute", "GetCurrentProgramScene"]

        async def run(index: int, client) -> None:
            count = 0
            while time.monotonic() < deadline:
                request_type = requests[(index + count) % len(requests)]
                data = {"inputName": "Tone"} if request_type == "GetInputMute" else None
                started = time.perf_counter()
                answer = await client.call(simpleobsws.Request(request_type, data), timeout=WAIT_S)
                round_trips.append(time.perf_counter() - started)
                assert answer.ok(), (request_type, answer.requestStatus)
                count += 1
                await asyncio.sleep(0.1)  # pacing: ten requests a second per client is the load

        try:
            await asyncio.gather(*(run(index, client) for index, client in enumerate(clients)))
        finally:
            for client in clients:
                await client.disconnect()
        stats_after = studio.engine.stats()
        media_s.append((stats_after.media_time_ns - stats_before.media_time_ns) / 1e9)
        # The program went on ticking throughout (how fast is the machine's business, not the API's).
        assert stats_after.frames_produced > stats_before.frames_produced

    asyncio.run(scenario())
    # Meters go out every 50 ms; count them over the program's media time for the same window
    # rather than between their arrival times, which bunch up on a busy machine.
    rate = len(meters) / media_s[0]
    assert 15 <= rate <= 22, f"{rate:.1f} meter events a second of media time"
    levels = meters[-1][1]["inputs"][0]
    assert levels["inputName"] == "Tone" and len(levels["inputLevelsMul"]) == 2 and len(levels["inputLevelsMul"][0]) == 3
    assert 0 < levels["inputLevelsMul"][0][1] <= 1  # the tone's peak at -24 dBFS, post-fader
    ordered = sorted(round_trips)
    p50, p99 = statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"\nremote API under load: {len(round_trips)} requests from 20 clients, round trip p50 {p50 * 1000:.2f} ms, "
        f"p99 {p99 * 1000:.2f} ms, max {ordered[-1] * 1000:.2f} ms; meters {rate:.1f}/s"
    )
    assert len(round_trips) >= 20 * duration_s * 5
    assert p99 < 0.5
