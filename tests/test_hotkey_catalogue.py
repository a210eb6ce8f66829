"""One catalogue of actions and hotkeys (studio/control/hotkey_catalogue.py) for the desktop app
and the remote control, and the remote control's one registry of request handlers.

No engine runs here: the remote side is a RemoteRequests on a stand-in session (the hotkey list
needs only the show and the run sheet), the GUI side the hotkey module's pure functions.
"""

from __future__ import annotations

import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from studio.control.hotkey_catalogue import PRODUCT_KEYS_LIMIT, SCENE_KEYS_LIMIT, default_key, hotkey_action_ids, hotkey_actions
from studio.control.remote_requests import RemoteRequests, RemoteTarget
from studio.control.request_handlers import REQUEST_HANDLERS
from studio.engine.builtin_shows import builtin_show
from studio.gui.hotkeys import ACTION_LABELS, action_catalogue, effective_bindings
from studio.gui.products_panel import DEFAULT_HOTKEY_TEXTS
from tests.conftest import REPO_ROOT


def _big_show():
    """More scenes and products than there are keys for them."""
    demo = builtin_show("demo")
    scenes = [demo.scenes[0].model_copy(update={"id": f"scene-{n}", "name": f"Scene {n}"}) for n in range(SCENE_KEYS_LIMIT + 3)]
    products = [demo.products[0].model_copy(update={"id": f"product-{n}", "title": f"Product {n}"}) for n in range(PRODUCT_KEYS_LIMIT + 2)]
    return demo.model_copy(update={"scenes": scenes, "products": products})


SHOWS = {
    "demo": lambda: builtin_show("demo"),
    "sync (no products)": lambda: builtin_show("sync"),
    "more scenes and products than keys": _big_show,
}


class StandInSession:
    """What RemoteTarget reads of a session for the hotkeys: the show, the run sheet, the handler."""

    def __init__(self, show, *, selling: bool) -> None:
        self.show = show
        self.engine = None
        self.selling = SimpleNamespace(products=list(show.products)) if selling else None
        self.comments = None
        self.pressed: list[str] = []
        self.hotkey_handler = self._press

    def _press(self, name: str) -> bool:
        self.pressed.append(name)
        return True


def remote_hotkeys(show, *, selling: bool = True) -> tuple[RemoteRequests, StandInSession, list[str]]:
    session = StandInSession(show, selling=selling)
    requests = RemoteRequests(RemoteTarget.for_session(session))
    listed = requests.handle("GetHotkeyList")
    assert listed.ok, listed.comment
    return requests, session, listed.data["hotkeys"]


@pytest.mark.parametrize("make_show", SHOWS.values(), ids=SHOWS.keys())
def test_the_hotkey_dialog_and_get_hotkey_list_list_the_same_actions_in_the_same_order(make_show):
    show = make_show()
    gui_actions = action_catalogue(show)
    _requests, _session, listed = remote_hotkeys(show)
    assert [action.id for action in gui_actions] == listed == hotkey_action_ids(show)
    # The keys the app binds by default are the catalogue's.
    assert {action.id: action.default_key for action in gui_actions} == {action.id: action.default_key for action in hotkey_actions(show)}
    assert all(action.default_key == default_key(action.id) for action in gui_actions)
    assert set(ACTION_LABELS) == {action.family for action in hotkey_actions(_big_show())}  # a label for every family


def test_without_a_selling_desk_the_remote_lists_no_product_keys_and_every_one_it_lists_is_a_gui_action():
    show = builtin_show("demo")
    _requests, _session, listed = remote_hotkeys(show, selling=False)
    gui_ids = [action.id for action in action_catalogue(show)]
    assert set(listed) < set(gui_ids)
    assert not [name for name in listed if name.startswith("product") or name in ("link_321", "sold_out")]


def test_a_gui_hotkey_pressed_remotely_goes_to_the_apps_handler_and_an_unknown_one_is_600():
    show = builtin_show("demo")
    requests, session, _listed = remote_hotkeys(show)
    for action in action_catalogue(show):
        assert requests.handle("TriggerHotkeyByName", {"hotkeyName": action.id}).ok
    assert session.pressed == [action.id for action in action_catalogue(show)]
    unknown = requests.handle("TriggerHotkeyByName", {"hotkeyName": "OBSBasic.StartRecording"})
    assert unknown.code == 600 and session.pressed[-1] != "OBSBasic.StartRecording"


def test_keys_run_out_where_the_keyboard_does():
    ids = hotkey_action_ids(_big_show())
    assert [i for i in ids if i.startswith("preview_scene.")] == [f"preview_scene.{n}" for n in range(1, SCENE_KEYS_LIMIT + 1)]
    assert [i for i in ids if re.fullmatch(r"product\.\d+", i)] == [f"product.{n}" for n in range(1, PRODUCT_KEYS_LIMIT + 1)]
    assert (default_key("preview_scene.9"), default_key("program_scene.3"), default_key("product.12")) == ("9", "Ctrl+3", "F12")
    assert default_key("mute_input.tone") == "" and default_key("no_such_action") == ""
    # The run desk's product count wins over the show file's (products added while live).
    assert hotkey_action_ids(builtin_show("demo"), product_count=PRODUCT_KEYS_LIMIT + 5).count("product.12") == 1


def test_the_run_sheets_key_badges_before_the_bindings_arrive_are_the_dispatchers_defaults():
    bindings = effective_bindings(_big_show())
    assert DEFAULT_HOTKEY_TEXTS == {action_id: bindings[action_id] for action_id in DEFAULT_HOTKEY_TEXTS}
    assert "product.12" in DEFAULT_HOTKEY_TEXTS and "link_321" in DEFAULT_HOTKEY_TEXTS


def test_the_catalogue_and_the_remote_requests_load_without_qt():
    code = (
        "import sys, studio.control.hotkey_catalogue, studio.control.remote_requests, studio.control.remote_api\n"
        "qt = sorted(name for name in sys.modules if name.startswith(('PySide6', 'shiboken6')))\n"
        "assert not qt, qt\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True, timeout=60)


def test_each_request_type_maps_to_the_handler_named_after_it_in_its_category_module():
    categories = {"general", "scenes", "inputs", "transitions", "scene_items", "stream", "record", "ui"}
    for request_type, handler in REQUEST_HANDLERS.items():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", request_type.replace("TBar", "Tbar")).lower()
        assert handler.__name__ == snake, f"{request_type} -> {handler.__name__}"
        assert handler.__module__.rsplit(".", 1)[-1] in categories, f"{request_type} -> {handler.__module__}"
    assert RemoteRequests.available_requests() == sorted(REQUEST_HANDLERS)
