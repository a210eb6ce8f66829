"""Selling live: the 3-2-1 link run lands on its frames in a real recording, the link push fires
on the card's tick with a signed webhook, chapters name the product; presets, stock and sold out
on a stepped clock; the script commands."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from pathlib import Path

import av
import numpy as np
import pytest

from studio.app import ASSETS_DIR, build_engine, build_selling_desk
from studio.commerce.link_webhook import verify_signature
from studio.engine.builtin_shows import DEMO_PRODUCTS, builtin_show
from studio.engine.clock import NS_PER_SECOND, SteppedClock
from studio.engine.errors import InputError
from studio.engine.graphics.countdown import render_countdown_set
from studio.engine.graphics.product_card import render_product_card
from studio.engine.products import CardCorner, Product
from studio.engine.show import save_show
from tests.conftest import decode_rgb_frames, run_studio
from tests.servers import free_port, poll_until

FPS = 30
GREY = (128, 128, 128)
SECRET = "webhook-secret-42"


class WebhookReceiver:
    """A local HTTP server that keeps every POST (headers and body)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/link-push"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def grey_show_data(tmp_path: Path, webhook_url: str = "") -> dict:
    """A still grey program (so every overlay can be recognised exactly) and the demo products,
    their pictures copied beside the show file."""
    shutil.copytree(ASSETS_DIR / "products", tmp_path / "products")
    return {
        "schema_version": 1,
        "name": "Grey selling show",
        "canvas": {"width": 1920, "height": 1080, "fps": FPS},
        "sources": [{"id": "grey", "name": "Grey", "kind": "colour", "settings": {"colour": "#808080"}}],
        "scenes": [{"id": "main", "name": "MAIN", "layout": {"kind": "full", "sources": ["grey"]}}],
        "audio_inputs": [{"id": "tone", "name": "Tone", "kind": "tone", "level_dbfs": -30}],
        "products": [{**product, "preset": {}} for product in DEMO_PRODUCTS],
        "selling": {
            "card_duration_s": 0,
            "link_webhook": {"url": webhook_url, "secret": SECRET},
        },
    }


def composite(background: np.ndarray, bgra: np.ndarray, x: int, y: int) -> np.ndarray:
    out = background.astype(np.float32).copy()
    h, w = bgra.shape[:2]
    alpha = bgra[..., 3:4].astype(np.float32) / 255.0
    rgb = bgra[..., 2::-1].astype(np.float32)
    out[y : y + h, x : x + w] = out[y : y + h, x : x + w] * (1 - alpha) + rgb * alpha
    return out


def mean_abs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.float32) - b.astype(np.float32))))


def test_321_link_run_lands_on_its_frames_with_a_signed_webhook_and_chapters(tmp_path, webhook_receiver):
    show_path = tmp_path / "selling.json"
    show_path.write_text(json.dumps(grey_show_data(tmp_path, webhook_receiver.url), ensure_ascii=False))
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"at": 1.0, "do": "select_product", "product": "tee-white"}, {"at": 4.0, "do": "link_321"}]))
    recording = tmp_path / "run.mkv"
    result = run_studio(
        "run", "--show", str(show_path), "--virtual-clock", "--duration", "9", "--record", str(recording), "--script", str(script)
    )
    assert result.returncode == 0, result.stderr
    assert "link pushed: 纯棉白T恤" in result.stderr and "at 7.000 s" in result.stderr

    background = np.full((1080, 1920, 3), GREY, np.float32)
    digits = render_countdown_set(1920, 1080, FPS)
    product = Product.model_validate(DEMO_PRODUCTS[0] | {"preset": {}})
    card = render_product_card(product, 1920, 1080, CardCorner.BOTTOM_RIGHT, tmp_path)
    # The region each overlay covers, and the pictures it may show there.
    first = digits[3][-1]
    cx0, cy0, cx1, cy1 = first.x, first.y, first.x + first.bgra.shape[1], first.y + first.bgra.shape[0]
    references = {"none": background[cy0:cy1, cx0:cx1]}
    for digit, frames in digits.items():
        for index, picture in enumerate(frames):
            references[f"{digit}:{index}"] = composite(background, picture.bgra, picture.x, picture.y)[cy0:cy1, cx0:cx1]
    kx0, ky0 = card.x, card.y
    kx1, ky1 = kx0 + card.bgra.shape[1], ky0 + card.bgra.shape[0]
    card_on = composite(background, card.bgra, card.x, card.y)[ky0:ky1, kx0:kx1]
    card_off = background[ky0:ky1, kx0:kx1]

    shown_digit, card_shown = [], []
    for _, rgb in decode_rgb_frames(recording):
        box = rgb[cy0:cy1, cx0:cx1]
        best = min(references, key=lambda name: mean_abs(box, references[name]))
        shown_digit.append(best.split(":")[0])
        card_region = rgb[ky0:ky1, kx0:kx1]
        card_shown.append(mean_abs(card_region, card_on) < mean_abs(card_region, card_off))
    assert len(shown_digit) == 270
    expected_digits = ["none"] * 120 + ["3"] * 30 + ["2"] * 30 + ["1"] * 30 + ["none"] * 60
    wrong = [(frame, shown_digit[frame], expected_digits[frame]) for frame in range(270) if shown_digit[frame] != expected_digits[frame]]
    assert wrong == [], f"frames showing the wrong countdown (frame, shown, expected): {wrong[:10]}"
    assert card_shown == [False] * 210 + [True] * 60, f"card first seen on frame {card_shown.index(True)}"

    poll_until(lambda: len(webhook_receiver.requests) >= 1, 10, "the link-push webhook")
    assert len(webhook_receiver.requests) == 1
    headers, body = webhook_receiver.requests[0]
    headers = {key.lower(): value for key, value in headers.items()}
    assert verify_signature(SECRET, headers["x-studio-timestamp"], body, headers["x-studio-signature"])
    payload = json.loads(body)
    assert payload["product_id"] == "tee-white" and payload["link"] == "https://shop.example.com/p/tee-white"
    assert payload["media_time_s"] == 7.0 and payload["show"] == "Grey selling show"
    assert SECRET not in result.stderr

    with av.open(str(recording)) as container:
        chapters = [(c["metadata"]["title"], c["start"] * c["time_base"]) for c in container.chapters()]
    titles = [title for title, _ in chapters]
    assert titles == ["纯棉白T恤 👕 Organic cotton tee", "上链接: 纯棉白T恤 👕 Organic cotton tee"]
    assert [float(start) for _, start in chapters] == [1.0, 7.0]


# -- the desk on a stepped clock ---------------------------------------------------------------------


@pytest.fixture
def desk_on_demo():
    clock = SteppedClock()
    show = builtin_show("demo")
    engine = build_engine(show, clock=clock)
    engine.start()
    desk = build_selling_desk(engine, show, show_reference=None)
    yield engine, desk, clock
    desk.close()
    engine.stop()


def run_to(clock: SteppedClock, tick: int) -> None:
    clock.allow_until(tick * NS_PER_SECOND // FPS)
    poll_until(lambda: clock.waiting_for_ns == (tick + 1) * NS_PER_SECOND // FPS, 10, f"tick {tick}")


def test_selecting_a_product_brings_its_preset_to_preview_or_program(desk_on_demo):
    engine, desk, clock = desk_on_demo
    run_to(clock, 1)
    desk.select_product("mug-red")
    run_to(clock, 2)
    assert engine.preview_scene == "DETAIL" and engine.program_scene == "FRONT"
    desk.settings = desk.settings.model_copy(update={"preset_target": "program"})
    desk.select_product("scarf-silk")
    run_to(clock, 3)
    assert engine.program_scene == "PIP"
    assert desk.step_product(+1).id == "tee-white"  # wraps around
    assert desk.step_product(-1).id == "scarf-silk"
    engine.set_preview("GRID")
    run_to(clock, 4)
    preset = desk.save_current_look_as_preset("mug-red")
    assert preset.scene == "GRID" and desk.product("mug-red").preset.scene == "GRID"
    with pytest.raises(InputError, match="unknown product 'nope'.*tee-white"):
        desk.select_product("nope")


def test_link_push_fires_exactly_three_seconds_after_the_key_tick_and_stock_redraws_the_card(desk_on_demo):
    engine, desk, clock = desk_on_demo
    pushes = []
    desk.events.link_pushed.connect(pushes.append)
    run_to(clock, 10)
    desk.link_321()  # taken at tick 11
    poll_until(lambda: desk.card_on_air is not None, 10, "the card to be scheduled")
    run_to(clock, 100)
    assert pushes == []  # not yet: the key was taken on tick 11, the push belongs to tick 101
    run_to(clock, 101)
    assert [(p.product_id, p.tick) for p in pushes] == [("tee-white", 101)]
    frames_before = engine.stats().frames_produced
    desk.set_stock("tee-white", 3)
    desk.set_sold_out("tee-white", True)
    run_to(clock, 110)
    assert engine.stats().frames_produced == frames_before + 9  # no frame dropped while redrawn
    assert desk.product("tee-white").stock == 3 and desk.product("tee-white").sold_out
    desk.dismiss_card()
    assert desk.card_on_air is None


def test_script_commands_are_checked(tmp_path):
    show_path = tmp_path / "show.json"
    save_show(builtin_show("demo"), show_path)  # saved elsewhere: its pictures and replay come from the assets
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"at": 1.0, "do": "set_stock", "product": "no-such", "stock": 3}]))
    result = run_studio("run", "--show", str(show_path), "--virtual-clock", "--duration", "2", "--script", str(script))
    assert result.returncode == 2
    assert str(script) in result.stderr and "[0].product" in result.stderr and "unknown product 'no-such'" in result.stderr


def test_a_saved_copy_of_the_demo_finds_its_pictures_in_the_shipped_assets(tmp_path):
    from studio.engine.assets import find_asset

    show_path = tmp_path / "my-show.json"
    save_show(builtin_show("demo"), show_path)
    assert find_asset("products/tee-white.png", tmp_path) == ASSETS_DIR / "products" / "tee-white.png"
    (tmp_path / "products").mkdir()
    (tmp_path / "products" / "tee-white.png").write_bytes((ASSETS_DIR / "products" / "mug-red.png").read_bytes())
    assert find_asset("products/tee-white.png", tmp_path) == tmp_path / "products" / "tee-white.png"  # the user's own first
