"""Shows built into the program, so it runs with no camera and no file at all."""

from __future__ import annotations

from studio.engine.errors import InputError
from studio.engine.show import Show, parse_show
from studio.engine.sources.guest import GUEST_KIND, new_guest_token

# Clearly different colours, so a decoded frame tells at a glance which camera is on program.
DEMO_CAMERAS = {
    "FRONT": (200, 40, 40),
    "SIDE": (40, 160, 60),
    "BACK": (40, 70, 200),
    "DETAIL": (220, 170, 30),
}


def demo_show_data() -> dict:
    sources = [
        {
            "id": name.lower(),
            "name": name,
            "kind": "test_pattern",
            "settings": {"colour": "#%02x%02x%02x" % rgb, "width": 1280, "height": 720, "fps": 30},
        }
        for name, rgb in DEMO_CAMERAS.items()
    ]
    scenes = [
        {"id": name.lower(), "name": name, "layout": {"kind": "full", "sources": [name.lower()]}}
        for name in DEMO_CAMERAS
    ]
    scenes.append({"id": "grid", "name": "GRID", "layout": {"kind": "grid", "sources": [s["id"] for s in sources]}})
    scenes.append(
        {"id": "pip", "name": "PIP", "layout": {"kind": "pip", "sources": ["front", "detail"], "corner": "bottom_right"}}
    )
    # A guest (连麦) beside the host. Its token is made afresh for each demo, so no two runs (and
    # no two people running the demo) share a link.
    sources.append({"id": "guest-1", "name": "Guest 1", "kind": GUEST_KIND, "settings": {"token": new_guest_token()}})
    scenes.append({"id": "guest", "name": "GUEST", "layout": {"kind": "side_by_side", "sources": ["front", "guest-1"]}})
    return {
        "schema_version": 1,
        "name": "Demo show",
        "canvas": {"width": 1920, "height": 1080, "fps": 30},
        # Douyin and TikTok are watched upright: the same show as a 9:16 picture, layouts derived.
        "canvases": {"vertical": {"width": 1080, "height": 1920}},
        "sources": sources,
        "scenes": scenes,
        "audio_inputs": [
            {"id": "tone", "name": "Tone", "kind": "tone", "frequency_hz": 440, "level_dbfs": -24},
            # Its own id and name: the remote control (obs-websocket) keeps video sources and
            # audio inputs in one namespace, so the voice cannot share the source's.
            {"id": "guest-1-voice", "name": "Guest 1 voice", "kind": "source_audio", "source": "guest-1"},
        ],
        "program_scene": "FRONT",
        "preview_scene": "SIDE",
        "transition": {"kind": "mix", "duration_ms": 500},
        "products": DEMO_PRODUCTS,
        "current_product": "tee-white",
        # Chinese and English comments on a loop, so the feed is alive with no platform connected.
        "comments": {"replay_file": "comments/demo.jsonl"},
    }


# Three products with pictures shipped in studio/assets/products (image paths are relative to the
# assets folder for a built-in show), each with its own look: the fit from the front, the glaze in
# close-up, the pattern side by side.
DEMO_PRODUCTS = [
    {
        "id": "tee-white",
        "title": "纯棉白T恤 👕 Organic cotton tee",
        "price": "79.00",
        "compare_at_price": "129.00",
        "currency": "CNY",
        "stock": 50,
        "image": "products/tee-white.png",
        "link_url": "https://shop.example.com/p/tee-white",
        "coupon": "LIVE20",
        "talking_points": ["100% organic cotton, 220 g", "Show the fit: turn to SIDE", "Sizes S-XXL"],
        "preset": {"scene": "FRONT", "lower_third": "纯棉白T恤 · 直播间专享价 ¥79", "card_corner": "bottom_right"},
    },
    {
        "id": "mug-red",
        "title": "手工陶瓷马克杯 ☕",
        "price": "59.00",
        "currency": "CNY",
        "stock": 12,
        "image": "products/mug-red.png",
        "link_url": "https://shop.example.com/p/mug-red",
        "talking_points": ["Hand-glazed: show the DETAIL camera", "Dishwasher safe"],
        "preset": {"scene": "DETAIL", "lower_third": "手工陶瓷马克杯 · 仅剩 12 个", "card_corner": "top_right"},
    },
    {
        "id": "scarf-silk",
        "title": "Silk scarf 真丝围巾 🧣 limited edition print",
        "price": "199.00",
        "compare_at_price": "299.00",
        "currency": "CNY",
        "stock": 8,
        "image": "products/scarf-silk.png",
        "link_url": "https://shop.example.com/p/scarf-silk",
        "coupon": "SILK50",
        "talking_points": ["Mulberry silk, 90 x 90 cm"],
        "preset": {"scene": "PIP", "lower_third": "真丝围巾 · 限量印花", "card_corner": "top_left"},
    },
]


def sync_show_data() -> dict:
    """The sync pair: a white frame and a 50 ms beep at each whole second. In a recording each
    flash and its beep must coincide; anyone can check lip sync on their own machine with
    `studio run --show sync --record sync.mkv`."""
    return {
        "schema_version": 1,
        "name": "Lip-sync check",
        "canvas": {"width": 1280, "height": 720, "fps": 30},
        "sources": [
            {
                "id": "sync",
                "name": "SYNC",
                "kind": "test_pattern",
                "settings": {"colour": "#303040", "width": 1280, "height": 720, "fps": 30, "sync_flash": True},
            }
        ],
        "scenes": [{"id": "sync", "name": "SYNC", "layout": {"kind": "full", "sources": ["sync"]}}],
        "audio_inputs": [
            {"id": "beep", "name": "Beep", "kind": "beep", "frequency_hz": 1000, "level_dbfs": -12, "beep_duration_ms": 50}
        ],
    }


BUILTIN_SHOWS = {"demo": demo_show_data, "sync": sync_show_data}


def builtin_show(name: str) -> Show:
    try:
        factory = BUILTIN_SHOWS[name]
    except KeyError:
        raise InputError(f"unknown built-in show {name!r}; expected one of {', '.join(BUILTIN_SHOWS)}") from None
    return parse_show(factory(), file=f"<built-in show {name}>")
