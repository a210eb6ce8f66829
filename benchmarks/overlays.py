"""What the selling overlays cost the program thread per 1080p frame.

Two overlays are on program: the demo show's product card (rendered by
studio.engine.graphics.product_card, about 520x500 at 1080p) and a comment-card-sized picture
(900x220 RGBA, a rounded translucent panel with text), both blended by the engine's own overlay
path (Engine.show_overlay -> the program thread's LayerPainter, in I420).

1. Engine: the demo show (1920x1080, 30 fps) on the virtual clock with --ticks ticks and no
   encoding, alternately without overlays (A) and with both (B), in the order A B A B ... A
   (--rounds B runs). CPU is getrusage(RUSAGE_SELF) user+system over engine.start() to
   engine.stop(). The cost is B minus the mean of the A runs around it (median over rounds).
2. Painter: the same two overlays painted by LayerPainter.paint onto a 1080p I420 buffer in a
   loop (thread CPU per frame): the blend alone, without the rest of the tick's noise.

The target is under 2 ms per 1080p frame.

    cd /work/main && PYTHONPATH=. python benchmarks/overlays.py [--ticks 600] [--rounds 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from studio.app import ASSETS_DIR, build_engine  # noqa: E402
from studio.engine.builtin_shows import builtin_show  # noqa: E402
from studio.engine.clock import VirtualClock  # noqa: E402
from studio.engine.frames import frame_from_bgra, new_i420  # noqa: E402
from studio.engine.graphics import fonts  # noqa: E402
from studio.engine.graphics.overlays import (  # noqa: E402
    STYLE,
    Anchor,
    OverlayPlacement,
    RenderedOverlay,
    place,
    rounded_panel,
)
from studio.engine.graphics.product_card import render_product_card  # noqa: E402
from studio.engine.show import Canvas, Layer  # noqa: E402
from studio.engine.video.compositor import LayerPainter  # noqa: E402

TARGET_MS = 2.0


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def comment_card(canvas_width: int, canvas_height: int) -> RenderedOverlay:
    """A stand-in for the comment card: 900x220, translucent rounded panel, two lines of text."""
    image = rounded_panel(900, 220, 28, STYLE.panel, STYLE.panel_border, 2)
    fonts.draw_text(image, (36, 28), "小美 @xiaomei_88", 34, STYLE.accent, bold=True)
    fonts.draw_text(image, (36, 92), "这件T恤有XL码吗？想给我老公买一件 👕❤️", 40, STYLE.text)
    return place(image, OverlayPlacement(Anchor.CENTER_LEFT, margin=0.035), canvas_width, canvas_height)


def overlays_for(show) -> dict[str, RenderedOverlay]:
    canvas = show.canvas
    product = next(p for p in show.products if p.id == show.current_product)
    card = render_product_card(product, canvas.width, canvas.height, "bottom_right", ASSETS_DIR)
    return {"card": card, "comment": comment_card(canvas.width, canvas.height)}


def engine_run(ticks: int, overlays: dict[str, RenderedOverlay] | None) -> float:
    """CPU ms per tick of the demo show on the virtual clock, with or without the overlays."""
    show = builtin_show("demo")
    engine = build_engine(show, clock=VirtualClock(), tick_limit=ticks)
    for overlay_id, overlay in (overlays or {}).items():
        engine.show_overlay(overlay_id, overlay.bgra, overlay.x, overlay.y)
    start = cpu_s()
    engine.start()
    engine.wait()
    engine.stop()
    return 1000 * (cpu_s() - start) / ticks


def painter_ms(overlays: dict[str, RenderedOverlay], canvas: Canvas, frames: int) -> tuple[float, dict[str, float]]:
    """Thread CPU ms per frame of LayerPainter.paint for each overlay and for all of them."""
    target = new_i420(canvas.width, canvas.height)
    target[:] = 100
    painters = []
    for overlay_id, overlay in overlays.items():
        frame = frame_from_bgra(overlay.bgra, 0)
        layer = Layer(source=overlay_id, x=overlay.x, y=overlay.y, width=frame.width, height=frame.height)
        painters.append((overlay_id, LayerPainter(layer, canvas), frame))
    each = {}
    for overlay_id, painter, frame in painters:
        painter.paint(frame, target)  # warm the scratch buffers
        start = time.thread_time()
        for _ in range(frames):
            painter.paint(frame, target)
        each[overlay_id] = 1000 * (time.thread_time() - start) / frames
    return sum(each.values()), each


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ticks", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3, help="runs with overlays (with one without around each)")
    parser.add_argument("--painter-frames", type=int, default=300)
    args = parser.parse_args()

    show = builtin_show("demo")
    canvas = show.canvas
    overlays = overlays_for(show)
    sizes = ", ".join(f"{name} {o.width}x{o.height} at ({o.x}, {o.y})" for name, o in overlays.items())
    print(f"overlays on a {canvas.width}x{canvas.height} canvas: {sizes}")

    total, each = painter_ms(overlays, canvas, args.painter_frames)
    print(f"painter only ({args.painter_frames} frames, thread CPU):")
    for name, ms in each.items():
        print(f"  {name:8s} {ms:6.3f} ms per frame")
    print(f"  both     {total:6.3f} ms per frame")

    engine_run(30, overlays)  # warm up imports, fonts and caches
    without = [engine_run(args.ticks, None)]
    with_overlays = []
    for _ in range(args.rounds):
        with_overlays.append(engine_run(args.ticks, overlays))
        without.append(engine_run(args.ticks, None))
    differences = [b - (without[i] + without[i + 1]) / 2 for i, b in enumerate(with_overlays)]
    print(f"engine, demo show, {args.ticks} ticks per run on the virtual clock (no encoding), CPU ms per tick:")
    print("  without overlays: " + "  ".join(f"{v:6.2f}" for v in without))
    print("  with both:        " + "  ".join(f"{v:6.2f}" for v in with_overlays))
    print("  difference:       " + "  ".join(f"{v:6.2f}" for v in differences))
    cost = statistics.median(differences)
    print(
        f"the card + comment card cost {cost:.2f} ms per 1080p frame in the engine (median), "
        f"{total:.2f} ms by the painter alone; target < {TARGET_MS:.0f} ms: "
        f"{'OK' if max(cost, total) < TARGET_MS else 'ABOVE'}"
    )


if __name__ == "__main__":
    main()
