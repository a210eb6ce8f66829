"""Editing the show through the remote control (obs-websocket v5): inputs, scenes and scene items.

The pure parts first (the transform mapping, the show diff that makes the events), then every
editing request over a real websocket with obsws-python against a session on the demo show in
real time, then the acceptance run: a client edits the program while it goes live to the tests'
own nginx-rtmp and records, and the recording shows each change on the tick the engine says it
applied it. Waits are on replies, events and the program's own tick counter; nothing asserts on
the wall clock.
"""

from __future__ import annotations

import threading

import numpy as np
import obsws_python as obs
import pytest
from obsws_python.error import OBSSDKRequestError
from obsws_python.util import to_snake_case
from PIL import Image

from studio import show_editing as edits
from studio.control.remote_editing import (
    BOUNDS_BY_FIT,
    abgr_to_rgb,
    item_transform,
    show_changes,
    show_view,
    studio_settings,
    transform_changes,
)
from studio.control.remote_requests import RemoteRequests, RemoteTarget, RequestFailed, StudioEvents
from studio.engine.builtin_shows import builtin_show, demo_show_data
from studio.engine.show import Canvas, Fit, Layer, parse_show
from studio.session import EDITED_FIELDS, SessionOptions, StudioSession
from tests.conftest import decode_rgb_frames, ffprobe
from tests.servers import poll_until

PASSWORD = "edit-Sekr1t-0042"
WAIT_S = 15.0
MAGENTA = (255, 0, 255)
LOGO_SIZE = (320, 180)
EDIT_EVENTS = (
    "InputCreated", "InputRemoved", "InputNameChanged", "InputSettingsChanged",
    "SceneCreated", "SceneRemoved", "SceneNameChanged", "SceneListChanged",
    "SceneItemCreated", "SceneItemRemoved", "SceneItemListReindexed", "SceneItemTransformChanged",
    "SceneItemEnableStateChanged", "SceneItemLockStateChanged",
)  # fmt: skip
EDIT_SUBSCRIPTIONS = obs.Subs.SCENES | obs.Subs.INPUTS | obs.Subs.SCENEITEMS | obs.Subs.SCENEITEMTRANSFORMCHANGED


def write_logo(path, size=LOGO_SIZE, colour=MAGENTA):
    Image.new("RGB", size, colour).save(path)
    return path


# -- the pure parts ------------------------------------------------------------------------------------


CANVAS = Canvas(width=1920, height=1080, fps=30)


def test_a_layer_reads_as_an_obs_transform_top_left_with_bounds_from_its_fit():
    layer = Layer(id=3, source="cam", x=100, y=50, width=640, height=360, fit=Fit.COVER, rotation=90)
    transform = item_transform(layer, (1280, 720), CANVAS)
    assert transform["positionX"] == 100.0 and transform["positionY"] == 50.0 and transform["alignment"] == 5
    assert (transform["width"], transform["height"], transform["sourceWidth"], transform["sourceHeight"]) == (640, 360, 1280, 720)
    assert (transform["scaleX"], transform["scaleY"]) == (0.5, 0.5) and transform["rotation"] == 90.0
    assert (transform["boundsType"], transform["boundsWidth"], transform["boundsHeight"]) == ("OBS_BOUNDS_SCALE_OUTER", 640, 360)
    assert BOUNDS_BY_FIT == {Fit.CONTAIN: "OBS_BOUNDS_SCALE_INNER", Fit.COVER: "OBS_BOUNDS_SCALE_OUTER", Fit.STRETCH: "OBS_BOUNDS_STRETCH"}
    # A layer without a box fills the canvas; a picture of unknown size reads as its box.
    whole = item_transform(Layer(id=1, source="cam"), None, CANVAS)
    assert (whole["width"], whole["height"], whole["scaleX"], whole["sourceWidth"]) == (1920, 1080, 1.0, 1920)


def test_a_partial_transform_changes_only_what_it_names():
    layer = Layer(id=1, source="cam", x=10, y=20, width=640, height=360)
    assert transform_changes(layer, {"positionX": 801.4}, (1280, 720), CANVAS) == {"x": 801}
    assert transform_changes(layer, {"scaleX": 0.25, "scaleY": 0.25}, (1280, 720), CANVAS) == {"width": 320, "height": 180}
    assert transform_changes(layer, {"boundsType": "OBS_BOUNDS_STRETCH", "boundsWidth": 100, "boundsHeight": 50}, None, CANVAS) == {
        "fit": Fit.STRETCH, "width": 100, "height": 50,
    }  # fmt: skip
    # No bounds: the box is the picture times the scale, stretched (OBS's unbounded item).
    assert transform_changes(layer, {"boundsType": "OBS_BOUNDS_NONE", "scaleX": 1.0, "boundsWidth": 9}, (1280, 720), CANVAS) == {
        "fit": Fit.STRETCH, "width": 1280,
    }  # fmt: skip
    assert transform_changes(layer, {"cropLeft": 8, "rotation": -90}, None, CANVAS) == {"crop": {"left": 8}, "rotation": 270}
    # Read-only fields (OBS ignores them too) are no change at all.
    with pytest.raises(RequestFailed) as nothing:
        transform_changes(layer, {"width": 5, "sourceHeight": 7}, None, CANVAS)
    assert nothing.value.code == 703


@pytest.mark.parametrize(
    ("requested", "code", "named"),
    [
        ({"rotation": 45}, 400, "`rotation`"),
        ({"rotation": 400}, 402, "`rotation`"),
        ({"positionX": "left"}, 401, "`positionX`"),
        ({"alignment": 0}, 400, "`alignment`"),
        ({"boundsAlignment": 4}, 400, "`boundsAlignment`"),
        ({"boundsType": "OBS_BOUNDS_MAX_ONLY"}, 400, "`boundsType`"),
        ({"boundsType": "sideways"}, 400, "`boundsType`"),
        ({"scaleX": -1}, 400, "`scaleX`"),
        ({"boundsWidth": 0}, 402, "`boundsWidth`"),
        ({"cropTop": -2}, 402, "`cropTop`"),
    ],
)
def test_a_transform_the_studio_cannot_draw_names_its_field(requested, code, named):
    with pytest.raises(RequestFailed) as refused:
        transform_changes(Layer(id=1, source="cam"), requested, None, CANVAS)
    assert refused.value.code == code and named in refused.value.comment


def test_obs_settings_keys_become_the_studios():
    assert studio_settings("image", {"file": "/tmp/a.png", "unload": True}, obs_kind="image_source") == {"path": "/tmp/a.png"}
    assert studio_settings("colour", {"color": 0xFF00FF00, "width": 64, "height": 32}, obs_kind="color_source_v3") == {
        "colour": [0, 255, 0], "width": 64, "height": 32,
    }  # fmt: skip
    assert studio_settings("file", {"local_file": "/m.mp4", "looping": False, "hw_decode": True}, obs_kind="ffmpeg_source") == {
        "path": "/m.mp4", "loop": False,
    }  # fmt: skip
    assert studio_settings("camera", {"video_device_id": "USB cam"}, obs_kind="dshow_input") == {"device": "USB cam"}
    # This studio's own kind keeps every key (validation names an unknown one); OBS keys still translate.
    assert studio_settings("image", {"file": "/b.png", "typo": 1}) == {"path": "/b.png", "typo": 1}
    assert abgr_to_rgb(0xFFFF00FF) == [255, 0, 255] and abgr_to_rgb("#ff00ff") == "#ff00ff"


def _view(show):
    return show_view(show, lambda scene: edits.scene_items(show.scenes[edits.scene_index(show, scene)], show.canvas))


def _types(changes):
    return [event_type for _intent, event_type, _data in changes]


def test_the_show_diff_names_each_change_in_obs_order():
    before = builtin_show("demo")
    show, logo_id = edits.add_source(before, "colour", "Logo", {"colour": "#ff00ff", "width": 320, "height": 180})
    show, scene_id = edits.add_scene(show, "EXTRA")
    show, item_id = edits.add_layer(show, "EXTRA", "Logo", width=320, height=180)
    show = edits.rename_scene(show, "GRID", "ALL FOUR")
    # Scenes in the show's order (GRID is before the new one); a new scene's items come with it, as in OBS.
    assert _types(show_changes(_view(before), _view(show))) == ["InputCreated", "SceneNameChanged", "SceneCreated", "SceneListChanged"]
    created = show_changes(_view(before), _view(show))[0][2]
    assert created["inputKind"] == "colour" and created["inputSettings"]["width"] == 320 and created["defaultInputSettings"]["width"] == 1920

    middle = show
    show, second = edits.add_layer(show, "EXTRA", "FRONT", x=100, width=640, height=360)
    show = edits.update_layer(show, "EXTRA", item_id, visible=False, locked=True, x=40)
    show = edits.update_source(show, "Logo", name="Brand", settings={"colour": "#00ff00", "width": 320, "height": 180})
    changes = show_changes(_view(middle), _view(show))
    assert _types(changes) == [
        "InputNameChanged", "InputSettingsChanged", "SceneItemEnableStateChanged", "SceneItemLockStateChanged",
        "SceneItemTransformChanged", "SceneItemCreated",
    ]  # fmt: skip
    by_type = {event_type: data for _intent, event_type, data in changes}
    assert by_type["SceneItemCreated"] == {
        "sceneName": "EXTRA", "sceneUuid": scene_id, "sourceName": "FRONT", "sourceUuid": "front", "sceneItemId": second, "sceneItemIndex": 1,
    }  # fmt: skip
    assert by_type["SceneItemTransformChanged"]["sceneItemTransform"]["positionX"] == 40.0
    assert by_type["InputNameChanged"] == {"inputUuid": logo_id, "oldInputName": "Logo", "inputName": "Brand"}

    moved = edits.move_layer(show, "EXTRA", second, 0)
    ((_intent, event_type, data),) = show_changes(_view(show), _view(moved))
    assert event_type == "SceneItemListReindexed"
    assert data["sceneItems"] == [{"sceneItemId": second, "sceneItemIndex": 0}, {"sceneItemId": item_id, "sceneItemIndex": 1}]

    gone = edits.remove_scene(edits.remove_source(show, "Brand"), "EXTRA")
    assert _types(show_changes(_view(show), _view(gone))) == ["SceneRemoved", "InputRemoved", "SceneListChanged"]
    without_item = edits.remove_source(show, "Brand")
    assert _types(show_changes(_view(show), _view(without_item))) == ["SceneItemRemoved", "InputRemoved"]
    assert show_changes(_view(show), _view(show)) == [] and show_changes(None, _view(show)) == []


def test_before_the_engine_is_built_the_show_can_be_edited_and_engine_requests_say_not_ready():
    session = StudioSession(builtin_show("demo"))  # never started: no engine
    target = RemoteTarget.for_session(session)
    emitted = []
    events = StudioEvents(target, lambda _intent, event_type, _data: emitted.append(event_type))
    requests = RemoteRequests(target, events=events)
    events.attach()
    try:
        assert requests.handle("GetStats").code == 207
        created = requests.handle("CreateScene", {"sceneName": "EARLY"})
        assert created.ok and created.data == {"sceneUuid": "early"}
        assert requests.handle("GetSceneItemList", {"sceneName": "EARLY"}).data == {"sceneItems": []}
        assert emitted == ["SceneCreated", "SceneListChanged"]
        assert session.show.scene_by_ref("EARLY") is not None
    finally:
        events.detach()


# -- every request over a real websocket -----------------------------------------------------------------


class Studio:
    """A session on the demo show in real time with its remote control, as `studio run` makes it."""

    def __init__(self, tmp_path) -> None:
        options = SessionOptions(comments_database=tmp_path / "comments.db", recording_folder=tmp_path / "recordings")
        self.session = StudioSession(builtin_show("demo"), options)
        self.engine = self.session.start()
        self.server = self.session.start_remote_control(host="127.0.0.1", port=0, password=PASSWORD)
        self.folder = tmp_path

    def client(self) -> obs.ReqClient:
        return obs.ReqClient(host="127.0.0.1", port=self.server.port, password=PASSWORD, timeout=WAIT_S)

    def edited(self):
        show = self.session.show
        return {field: getattr(show, field) for field in EDITED_FIELDS if field != "audio_inputs"}


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    studio = Studio(tmp_path_factory.mktemp("remote-editing"))
    yield studio
    studio.session.stop()


@pytest.fixture
def client(studio):
    client = studio.client()
    yield client
    client.disconnect()


class EventLog:
    """Every editing event a client is sent, in order, as (eventType, data with snake_case keys)."""

    def __init__(self, studio: Studio) -> None:
        self.items: list[tuple[str, dict]] = []
        self.changed = threading.Condition()
        self.events = obs.EventClient(host="127.0.0.1", port=studio.server.port, password=PASSWORD, subs=EDIT_SUBSCRIPTIONS)
        self.events.callback.register([self._recorder(name) for name in EDIT_EVENTS])

    def _recorder(self, event_type: str):
        def record(data) -> None:
            with self.changed:
                self.items.append((event_type, vars(data)))
                self.changed.notify_all()

        record.__name__ = f"on_{to_snake_case(event_type)}"  # obsws-python finds a callback by its name
        return record

    def wait_for(self, event_type: str, **expected) -> dict:
        def found():
            return next((d for t, d in self.items if t == event_type and expected.items() <= d.items()), None)

        with self.changed:
            data = self.changed.wait_for(found, WAIT_S)
        assert data is not None, f"no {event_type} {expected} within {WAIT_S} s; got {self.items}"
        return data

    def types(self) -> list[str]:
        with self.changed:
            return [event_type for event_type, _ in self.items]

    def close(self) -> None:
        self.events.disconnect()


@pytest.fixture
def events(studio):
    log = EventLog(studio)
    yield log
    log.close()


def refused(call, *args) -> OBSSDKRequestError:
    with pytest.raises(OBSSDKRequestError) as error:
        call(*args)
    return error.value


def test_input_kinds_and_their_defaults(client):
    kinds = client.get_input_kind_list(False).input_kinds
    assert {"image", "colour", "file", "camera", "test_pattern", "tone", "beep", "microphone"} <= set(kinds)
    assert {"image_source", "color_source_v3", "ffmpeg_source", "v4l2_input", "dshow_input", "av_capture_input"} <= set(kinds)
    assert "color_source" in client.get_input_kind_list(True).input_kinds
    defaults = client.get_input_default_settings("colour").default_input_settings
    assert defaults == {"colour": [0, 0, 0], "width": 1920, "height": 1080}
    assert client.get_input_default_settings("tone").default_input_settings == {"frequency_hz": 440.0, "level_dbfs": -20.0}
    assert refused(client.get_input_default_settings, "obs_shader_source").code == 605


def test_create_an_image_input_with_its_scene_item_and_the_events(studio, client, events):
    logo = write_logo(studio.folder / "logo.png")
    scene_uuid = client.send("CreateScene", {"sceneName": "LOGO"}, raw=True)["sceneUuid"]
    events.wait_for("SceneCreated", scene_name="LOGO", scene_uuid=scene_uuid, is_group=False)
    events.wait_for("SceneListChanged")
    assert client.get_scene_list().scenes[0] == {"sceneName": "LOGO", "sceneUuid": scene_uuid, "sceneIndex": 0}

    made = client.send(
        "CreateInput",
        {"sceneUuid": scene_uuid, "inputName": "Logo", "inputKind": "image_source", "inputSettings": {"file": str(logo)}, "sceneItemEnabled": True},
        raw=True,
    )
    item_id = made["sceneItemId"]
    created = events.wait_for("InputCreated", input_name="Logo", input_uuid=made["inputUuid"])
    assert created["input_kind"] == "image" and created["input_settings"] == {"path": str(logo)}
    events.wait_for("SceneItemCreated", scene_name="LOGO", source_name="Logo", scene_item_id=item_id, scene_item_index=0)
    assert events.types().index("InputCreated") < events.types().index("SceneItemCreated")

    settings = client.get_input_settings("Logo")
    assert (settings.input_kind, settings.input_settings) == ("image", {"path": str(logo)})  # this studio's keys
    (item,) = client.get_scene_item_list("LOGO").scene_items
    assert (item["sceneItemId"], item["sourceName"], item["inputKind"], item["sceneItemEnabled"], item["sceneItemLocked"]) == (
        item_id, "Logo", "image", True, False,
    )  # fmt: skip
    transform = item["sceneItemTransform"]
    assert (transform["positionX"], transform["positionY"], transform["width"], transform["height"]) == (0, 0, 320, 180)  # as OBS puts it
    assert (transform["sourceWidth"], transform["sourceHeight"], transform["scaleX"]) == (320, 180, 1.0)
    assert client.get_scene_item_id("LOGO", "Logo").scene_item_id == item_id
    assert [(layer.id, layer.source, layer.width) for layer in studio.session.layers("LOGO")] == [(item_id, made["inputUuid"], 320)]
    assert "Logo" in {i["inputName"] for i in client.get_input_list().inputs}


def test_bad_input_is_refused_with_obs_codes_and_changes_nothing(studio, client):
    before = studio.edited()
    missing = studio.folder / "not-there.png"
    create = client.create_input
    assert refused(client.create_scene, "FRONT").code == 601  # a scene name taken
    assert refused(create, "NO SUCH SCENE", "Logo 2", "image", {"path": str(missing)}, True).code == 600
    assert refused(create, "FRONT", "FRONT", "colour", {}, True).code == 601  # the FRONT camera's name
    assert refused(create, "FRONT", "Tone", "colour", {}, True).code == 601  # an audio input's name: one namespace
    assert refused(create, "FRONT", "Shader", "obs_shader_source", {}, True).code == 605
    no_file = refused(create, "FRONT", "Ghost", "image_source", {"file": str(missing)}, True)
    assert no_file.code == 400 and "settings.path" in str(no_file) and "not found" in str(no_file)
    typo = refused(create, "FRONT", "Typo", "colour", {"colur": "#ffffff"}, True)
    assert typo.code == 400 and "colur" in str(typo)
    assert refused(client.set_input_name, "FRONT", "SIDE").code == 601
    assert refused(client.set_scene_name, "FRONT", "SIDE").code == 601
    assert refused(client.remove_input, "No such input").code == 600
    assert refused(client.get_scene_item_transform, "PIP", 99).code == 600
    assert refused(client.create_scene_item, "PIP", "GRID").code == 602  # a scene, not a source
    assert refused(client.create_scene_item, "PIP", "Tone").code == 602  # an audio input has no picture

    outside = refused(client.set_scene_item_transform, "PIP", 2, {"positionX": 5000})
    assert outside.code == 400 and "x:" in str(outside) and "outside the canvas" in str(outside)
    turned = refused(client.set_scene_item_transform, "PIP", 2, {"rotation": 45})
    assert turned.code == 400 and "quarter turns" in str(turned)
    assert refused(client.send, "SetSceneItemTransform", {"sceneName": "PIP", "sceneItemId": 2}).code == 300
    assert refused(client.set_scene_item_enabled, "PIP", 2, "yes").code == 401
    assert studio.edited() == before


def test_transform_enable_lock_order_duplicate_and_their_events(studio, client, events):
    client.create_scene("WORK")
    made = client.send(
        "CreateInput",
        {"sceneName": "WORK", "inputName": "Green", "inputKind": "color_source_v3",
         "inputSettings": {"color": 0xFF00FF00, "width": 640, "height": 360}},
        raw=True,
    )
    green = made["sceneItemId"]
    assert client.get_input_settings("Green").input_settings == {"colour": [0, 255, 0], "width": 640, "height": 360}
    front = client.create_scene_item("WORK", "FRONT", False).scene_item_id
    events.wait_for("SceneItemCreated", scene_name="WORK", source_name="FRONT", scene_item_id=front, scene_item_index=1)
    assert client.get_scene_item_enabled("WORK", front).scene_item_enabled is False

    client.set_scene_item_transform("WORK", green, {"positionX": 100, "positionY": 60, "scaleX": 0.5, "scaleY": 0.5, "cropTop": 4})
    moved = events.wait_for("SceneItemTransformChanged", scene_name="WORK", scene_item_id=green)["scene_item_transform"]
    assert (moved["positionX"], moved["positionY"], moved["width"], moved["height"], moved["cropTop"]) == (100, 60, 320, 180, 4)
    assert client.get_scene_item_transform("WORK", green).scene_item_transform == moved
    client.set_scene_item_transform("WORK", green, {"boundsType": "OBS_BOUNDS_SCALE_OUTER"})
    assert studio.session.layer("WORK", green).fit is Fit.COVER and studio.session.layer("WORK", green).x == 100  # only what was named

    client.set_scene_item_enabled("WORK", front, True)
    events.wait_for("SceneItemEnableStateChanged", scene_name="WORK", scene_item_id=front, scene_item_enabled=True)
    client.set_scene_item_locked("WORK", green, True)
    events.wait_for("SceneItemLockStateChanged", scene_item_id=green, scene_item_locked=True)
    assert client.get_scene_item_locked("WORK", green).scene_item_locked is True

    assert client.get_scene_item_index("WORK", green).scene_item_index == 0
    client.set_scene_item_index("WORK", green, 50)  # past the end: the top, as OBS clamps
    reindexed = events.wait_for("SceneItemListReindexed", scene_name="WORK")
    assert reindexed["scene_items"] == [{"sceneItemId": front, "sceneItemIndex": 0}, {"sceneItemId": green, "sceneItemIndex": 1}]
    assert [layer.id for layer in studio.session.layers("WORK")] == [front, green]

    copy = client.duplicate_scene_item("WORK", green, "PIP").scene_item_id
    events.wait_for("SceneItemCreated", scene_name="PIP", source_name="Green", scene_item_id=copy)
    assert client.get_scene_item_transform("PIP", copy).scene_item_transform["positionX"] == 100
    client.remove_scene_item("PIP", copy)
    events.wait_for("SceneItemRemoved", scene_name="PIP", scene_item_id=copy, source_name="Green")
    assert [i["sceneItemId"] for i in client.get_scene_item_list("PIP").scene_items] == [1, 2]  # ids stay

    client.set_input_settings("Green", {"color": 0xFF0000FF}, True)  # an OBS key on the studio kind; overlay keeps the size
    changed = events.wait_for("InputSettingsChanged", input_name="Green")
    assert changed["input_settings"] == {"colour": [255, 0, 0], "width": 640, "height": 360}
    client.set_input_settings("Green", {"width": 64, "height": 64}, False)  # replace: the colour is the default again
    assert client.get_input_settings("Green").input_settings == {"width": 64, "height": 64}

    client.set_input_name("Green", "Red")
    events.wait_for("InputNameChanged", input_uuid=made["inputUuid"], old_input_name="Green", input_name="Red")
    client.set_scene_name("WORK", "WORK 2")
    events.wait_for("SceneNameChanged", old_scene_name="WORK", scene_name="WORK 2")
    client.remove_input("Red")
    events.wait_for("SceneItemRemoved", scene_name="WORK 2", scene_item_id=green)
    events.wait_for("InputRemoved", input_name="Red")
    client.remove_scene("WORK 2")
    events.wait_for("SceneRemoved", scene_name="WORK 2")
    assert "WORK 2" not in [s["sceneName"] for s in client.get_scene_list().scenes]


def test_an_audio_input_is_the_mixers_and_takes_its_settings(studio, client, events):
    tone = {"sceneName": "FRONT", "inputName": "Line tone", "inputKind": "tone", "inputSettings": {"frequency_hz": 1000}}
    made = client.send("CreateInput", tone, raw=True)
    assert "sceneItemId" not in made  # not a scene item: the mixer's
    events.wait_for("InputCreated", input_name="Line tone", input_kind="tone")
    assert client.get_input_settings("Line tone").input_settings == {"frequency_hz": 1000.0, "level_dbfs": -20.0}
    client.set_input_settings("Line tone", {"level_dbfs": -30}, True)
    assert client.get_input_settings("Line tone").input_settings == {"frequency_hz": 1000.0, "level_dbfs": -30.0}
    assert refused(client.set_input_settings, "Line tone", {"gain_db": 3}, True).code == 400  # that is SetInputVolume
    client.set_input_mute("Line tone", True)
    poll_until(lambda: studio.engine.audio_input(made["inputUuid"]).muted, WAIT_S, "the new input muted")
    client.remove_input("Line tone")
    events.wait_for("InputRemoved", input_name="Line tone")


def test_an_edit_made_in_the_studio_is_told_to_clients_too(studio, events):
    scene_id = studio.session.add_scene("FROM THE APP")  # as the desktop app's Scenes panel does
    events.wait_for("SceneCreated", scene_name="FROM THE APP", scene_uuid=scene_id)
    layer = studio.session.add_layer(scene_id, "SIDE", width=640, height=360)
    events.wait_for("SceneItemCreated", scene_uuid=scene_id, source_name="SIDE", scene_item_id=layer.id)
    studio.session.update_layer(scene_id, layer.id, visible=False)
    events.wait_for("SceneItemEnableStateChanged", scene_uuid=scene_id, scene_item_enabled=False)
    studio.session.remove_scene(scene_id)
    events.wait_for("SceneRemoved", scene_uuid=scene_id)


# -- the acceptance run: live to nginx while recording ---------------------------------------------------------


class Ticks:
    """Ticks the program thread reports, collected for the test thread to wait on."""

    def __init__(self) -> None:
        self.items: list[int] = []
        self.changed = threading.Condition()

    def add(self, tick: int) -> None:
        with self.changed:
            self.items.append(tick)
            self.changed.notify_all()

    def count(self) -> int:
        with self.changed:
            return len(self.items)

    def wait_past(self, count: int, what: str) -> int:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.items) > count, WAIT_S), f"no tick for {what}"
            return self.items[count]


def magenta_box(rgb: np.ndarray) -> tuple[int, int, int, int] | None:
    """The bounding box (x0, y0, x1, y1) of the magenta pixels, or None when there are none."""
    mask = (rgb[:, :, 0] > 160) & (rgb[:, :, 1] < 100) & (rgb[:, :, 2] > 160)
    if mask.sum() < 1000:
        return None
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1


def same_box(found, expected, tolerance: int = 4) -> bool:
    if found is None or expected is None:
        return found is expected
    return all(abs(a - b) <= tolerance for a, b in zip(found, expected, strict=True))


def live_show_data(rtmp_server: str, fps: int) -> dict:
    """The demo show cut down to one camera and its tone at 720p: the run must keep real time
    (no tick skipped, no frame left unencoded) with another process busy on one of two cores."""
    data = demo_show_data()
    data["canvas"] = {"width": 1280, "height": 720, "fps": fps}
    data["sources"] = [source for source in data["sources"] if source["id"] == "front"]
    data["scenes"] = [scene for scene in data["scenes"] if scene["id"] == "front"]
    data["audio_inputs"] = [audio for audio in data["audio_inputs"] if audio["kind"] == "tone"]  # not the guest's voice
    data.update(preview_scene="FRONT", products=[], current_product=None, comments={})
    data["destinations"] = [{"id": "nginx", "name": "nginx", "url": rtmp_server, "stream_key": "edits"}]
    return data


@pytest.mark.slow
def test_a_remote_client_edits_the_program_live_and_each_change_lands_on_its_tick(rtmp_server, tmp_path):
    """20 s (600 ticks at 30 fps) in real time, live to nginx-rtmp and recording: an obsws-python
    client makes a scene with a magenta image on it, cuts to it, moves the image, hides it, shows
    it and removes it. The recording has every tick; each change is first seen on the tick the
    engine applied it, at most two ticks after the one running when the reply came."""
    fps, ticks = 30, 600
    show = parse_show(live_show_data(rtmp_server.url("").rstrip("/"), fps), file="<one camera at 720p>")
    options = SessionOptions(tick_limit=ticks, comments_database=tmp_path / "c.db", recording_folder=tmp_path)
    session = StudioSession(show, options)
    engine = session.build()
    applied, cuts = Ticks(), Ticks()
    engine.events.show_edit_applied.connect(applied.add)
    # On the program thread, at the end of the tick that first shows the new program scene.
    engine.events.program_scene_changed.connect(lambda name: cuts.add(engine.stats().ticks - 1) if name == "MAGENTA" else None)
    recording = session.start_recording(tmp_path / "program.mkv")  # before start: from tick 0
    session.start_streaming()
    server = session.start_remote_control(host="127.0.0.1", port=0, password=PASSWORD)
    session.start()
    client = obs.ReqClient(host="127.0.0.1", port=server.port, password=PASSWORD, timeout=WAIT_S)

    def at_tick(tick: int) -> None:
        poll_until(lambda: engine.stats().ticks > tick, WAIT_S + tick / fps, f"tick {tick}")

    def timed(log: Ticks, what: str, call, *args) -> tuple[int, int, int]:
        """(the tick running when the request went, when the reply came, the tick the change was applied on)."""
        count, sent = log.count(), engine.stats().ticks - 1
        call(*args)
        replied = engine.stats().ticks - 1
        return sent, replied, log.wait_past(count, what)

    logo = write_logo(tmp_path / "magenta.png")
    steps = []  # (what, the picture's box after it, request tick, reply tick, applied tick)
    try:
        at_tick(45)
        client.create_scene("MAGENTA")
        item = client.create_input("MAGENTA", "Magenta", "image_source", {"file": str(logo)}, True).scene_item_id
        at_tick(90)
        (stream_stats,) = engine.destination_stats()  # the live figures, kept up to date until it closes
        steps.append(("cut", (0, 0, *LOGO_SIZE), *timed(cuts, "the cut", client.set_current_program_scene, "MAGENTA")))
        moved = (640, 360, 640 + LOGO_SIZE[0], 360 + LOGO_SIZE[1])
        for at, what, box, call, args in (
            (180, "move", moved, client.set_scene_item_transform, ("MAGENTA", item, {"positionX": 640, "positionY": 360})),
            (270, "hide", None, client.set_scene_item_enabled, ("MAGENTA", item, False)),
            (360, "show", moved, client.set_scene_item_enabled, ("MAGENTA", item, True)),
            (450, "remove", None, client.remove_scene_item, ("MAGENTA", item)),
        ):
            at_tick(at)
            steps.append((what, box, *timed(applied, what, call, *args)))
    finally:
        client.disconnect()
    assert engine.wait(WAIT_S + ticks / fps), "the program did not reach its tick limit"
    session.stop()
    stats = engine.stats()  # after the stop: the encoder has written everything

    timeline = ", ".join(f"{what} {sent}/{replied}/{tick}" for what, _box, sent, replied, tick in steps)
    print(f"\nremote edits (asked / answered / applied on tick): {timeline}")
    # Every tick ran or was skipped and repeated in the recording; none is missing.
    assert stats.frames_produced + stats.frames_dropped == ticks and stats.encoder_dropped == 0
    assert stats.frames_encoded == ticks
    for what, _box, sent, replied, tick in steps:
        assert sent <= tick <= replied + 2, f"{what}: asked on tick {sent}, answered on {replied}, applied on {tick}"
    video = next(s for s in ffprobe(recording)["streams"] if s["codec_type"] == "video")
    assert int(video["nb_read_frames"]) == ticks
    (received,) = rtmp_server.wait_for_recordings("edits", count=1, timeout_s=WAIT_S)
    streamed = next(s for s in ffprobe(received)["streams"] if s["codec_type"] == "video")
    assert int(streamed["nb_read_frames"]) == stream_stats.video_frames_sent  # nginx got every frame sent
    assert stream_stats.video_frames_sent + sum(stream_stats.dropped_frames.values()) == ticks

    boxes = [magenta_box(rgb) for _index, rgb in decode_rgb_frames(recording)]
    assert len(boxes) == ticks
    # Frame n of the recording is tick n. Each change is first seen on its tick and stays until the next.
    ends = [tick for *_step, tick in steps[1:]] + [ticks]
    start = 0
    for (what, box, *_asked, tick), end in zip(steps, ends, strict=True):
        first = next((index for index in range(start, ticks) if same_box(boxes[index], box)), None)
        assert first == tick, f"{what}: applied on tick {tick}, first seen on frame {first} (frame {tick}: {boxes[tick]})"
        unsteady = [index for index in range(tick, end) if not same_box(boxes[index], box)]
        assert not unsteady, f"{what}: frames {unsteady[:5]} differ from {box}: {[boxes[i] for i in unsteady[:5]]}"
        start = tick
