"""The selling desk: the run sheet of products and the selling actions on it.

Select a product (its preset comes up on preview or program, a chapter is marked), run the
3-2-1 link run (digits on the tick the key was taken and one and two seconds later, then the
card, the link push and its webhook exactly three seconds after), dismiss the card, change stock
or mark sold out (the card on screen is redrawn in place). The GUI, hotkeys and scripts call
these methods; the desk calls only the engine's public methods.

Pictures are rendered off the program thread and only when their content changes: the countdown
digits once per canvas, the current product's card whenever the product or its stock changes.
Live calls (no at_ns) render on the desk's worker thread, so a hotkey on the GUI thread never
waits for Pillow; scripted calls (at_ns given, before or while the show runs) render at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from psygnal import Signal

from studio.commerce.link_webhook import LinkWebhookSender
from studio.engine.assets import asset_folder
from studio.engine.audio.beep import beep_samples
from studio.engine.clock import NS_PER_SECOND
from studio.engine.engine import Engine
from studio.engine.errors import InputError
from studio.engine.graphics.countdown import render_countdown_set
from studio.engine.graphics.lower_third import render_lower_third
from studio.engine.graphics.overlays import RenderedOverlay
from studio.engine.graphics.product_card import ProductCardCache
from studio.engine.products import CardCorner, Product, ProductPreset
from studio.engine.sequence import Beep, Chapter, HidePicture, LinkPush, PreparedPicture, ShowPicture, Step
from studio.engine.show import Show

log = logging.getLogger(__name__)

COUNTDOWN_OVERLAY = "countdown"
LOWER_THIRD_OVERLAY = "lower-third"
COUNTDOWN_SECONDS = (3, 2, 1)
BEEP_HZ, BEEP_MS, BEEP_DBFS = 880.0, 120, -12.0


@dataclass
class CardOnAir:
    overlay_id: str
    product_id: str
    shown_at_ns: int  # media time (offset from the show's start) the card pops
    hidden_at_ns: int | None  # when it goes by itself; None: until dismissed


class DeskEvents:
    products_changed = Signal()
    """the run sheet changed (added, removed, edited, stock, sold out). Fires on the caller's thread."""

    current_product_changed = Signal(str)
    """payload: the current product's id. Fires on the caller's thread."""

    card_changed = Signal(object)
    """payload: CardOnAir or None. Fires on the caller's or the worker thread."""

    link_pushed = Signal(object)
    """payload: studio.engine.sequence.LinkPush. Fires on the program thread, on the tick the card pops."""

    webhook_result = Signal(object)
    """payload: WebhookResult. Fires on the webhook's thread."""

    error = Signal(str)


class SellingDesk:
    def __init__(
        self,
        engine: Engine,
        show: Show,
        *,
        image_folder: Path | None,
        webhook_sender_factory: Callable[..., LinkWebhookSender] = LinkWebhookSender,
    ) -> None:
        self.engine = engine
        self.settings = show.selling
        self.show_name = show.name
        self.image_folder = image_folder
        self.events = DeskEvents()
        self._lock = threading.RLock()
        # Rendering the countdown takes a few hundred ms: under a lock of its own, so reading the
        # run sheet (the session's show, on the GUI thread) never waits for it.
        self._countdown_lock = threading.RLock()
        self._products: list[Product] = list(show.products)
        self._current_id: str | None = show.current_product or (self._products[0].id if self._products else None)
        self._cards = ProductCardCache()
        self._countdown: dict[int, list[RenderedOverlay]] | None = None
        self._countdown_prepared: dict[int, list[tuple[PreparedPicture, int, int]]] | None = None
        self._card: CardOnAir | None = None
        self._runs = 0
        self._lower_third_text: str | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="selling-desk")
        self._webhook: LinkWebhookSender | None = None
        if self.settings.link_webhook.url:
            self._webhook = webhook_sender_factory(self.settings.link_webhook, on_result=self.events.webhook_result.emit)
            self._webhook.start()
        engine.events.link_pushed.connect(self._on_link_pushed)
        # Digits and the first card ahead of time: the first 3-2-1 must not wait for Pillow.
        self._prepared = self._worker.submit(self._warm_up)

    # -- the run sheet ----------------------------------------------------------------------------

    @property
    def products(self) -> list[Product]:
        with self._lock:
            return list(self._products)

    @property
    def current_product(self) -> Product | None:
        with self._lock:
            return self._find(self._current_id) if self._current_id else None

    def product(self, product_id: str) -> Product:
        with self._lock:
            product = self._find(product_id)
        if product is None:
            known = ", ".join(p.id for p in self.products) or "(no products)"
            raise InputError(f"unknown product {product_id!r}; expected one of {known}", field="product")
        return product

    def _find(self, product_id: str) -> Product | None:
        return next((p for p in self._products if p.id == product_id), None)

    def select_product(self, product_id: str, *, at_ns: int | None = None) -> Product:
        """Make a product current: its preset comes up, a chapter is marked, its card is prepared."""
        product = self.product(product_id)
        with self._lock:
            self._current_id = product.id
        if self.settings.chapter_marks:
            self.engine.add_chapter(product.title, at_ns=at_ns)
        self.apply_preset(product.id, at_ns=at_ns)
        self._prepare_card(product, at_ns)
        self.events.current_product_changed.emit(product.id)
        return product

    def step_product(self, step: int, *, at_ns: int | None = None) -> Product | None:
        """Next (+1) or previous (-1) product on the run sheet, wrapping around."""
        with self._lock:
            if not self._products:
                return None
            ids = [p.id for p in self._products]
            index = ids.index(self._current_id) if self._current_id in ids else -step
            target = ids[(index + step) % len(ids)]
        return self.select_product(target, at_ns=at_ns)

    def replace_products(self, products: list[Product]) -> None:
        """The whole run sheet (after an edit or an import). Ids must be unique."""
        ids = [p.id for p in products]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise InputError(f"duplicate product ids: {', '.join(duplicates)}", field="products")
        with self._lock:
            self._products = list(products)
            current_gone = self._current_id not in ids
            if current_gone:
                self._current_id = ids[0] if ids else None
            current_id = self._current_id
        self.events.products_changed.emit()
        if current_gone and current_id is not None:
            self.events.current_product_changed.emit(current_id)
        self._refresh_card_on_air(None)

    def update_product(self, product: Product) -> None:
        """Replace the product with the same id (an edit), or add it at the end."""
        with self._lock:
            products = [product if p.id == product.id else p for p in self._products]
            if product.id not in {p.id for p in self._products}:
                products.append(product)
            self.replace_products(products)  # the lock is re-entrant: no change slips in between

    def set_stock(self, product_id: str, stock: int | None, *, at_ns: int | None = None) -> Product:
        if stock is not None and stock < 0:
            raise InputError(f"stock must be 0 or more, got {stock}", field="stock")
        return self._change(product_id, {"stock": stock}, at_ns)

    def set_sold_out(self, product_id: str, sold_out: bool, *, at_ns: int | None = None) -> Product:
        return self._change(product_id, {"sold_out": sold_out}, at_ns)

    def _change(self, product_id: str, changes: dict, at_ns: int | None) -> Product:
        with self._lock:  # read and write under one lock: two changes at once both hold
            product = self.product(product_id).model_copy(update=changes)
            self._products = [product if p.id == product_id else p for p in self._products]
        self.events.products_changed.emit()
        self._refresh_card_on_air(at_ns)
        return product

    def show_state(self) -> dict:
        """What the show file keeps of the desk: the run sheet and the current product."""
        with self._lock:
            return {"products": list(self._products), "current_product": self._current_id}

    # -- presets ----------------------------------------------------------------------------------

    def apply_preset(self, product_id: str | None = None, *, target: str | None = None, at_ns: int | None = None) -> None:
        """Bring up a product's look: its scene on preview (or program), its lower third."""
        product = self.product(product_id) if product_id else self.current_product
        if product is None:
            return
        preset = product.preset
        target = target or self.settings.preset_target
        if preset.scene:
            if target == "program":
                self.engine.cut(preset.scene, at_ns=at_ns)
            else:
                self.engine.set_preview(preset.scene, at_ns=at_ns)
        self.set_lower_third(preset.lower_third, at_ns=at_ns)

    def save_current_look_as_preset(self, product_id: str | None = None, *, source: str = "preview") -> ProductPreset:
        """The scene now on preview (or program), the lower third now shown and the product's card
        corner become this product's preset."""
        product = self.product(product_id) if product_id else self.current_product
        if product is None:
            raise InputError("no product to save the look for", field="product")
        scene = self.engine.program_scene if source == "program" else self.engine.preview_scene
        preset = ProductPreset(scene=scene, lower_third=self._lower_third_text, card_corner=product.preset.card_corner)
        self.update_product(product.model_copy(update={"preset": preset}))
        return preset

    def set_lower_third(self, text: str | None, *, at_ns: int | None = None) -> None:
        self._lower_third_text = text or None
        if not text:
            self.engine.hide_overlay(LOWER_THIRD_OVERLAY, at_ns=at_ns)
            return
        canvas = self.engine.show.canvas

        def show() -> None:
            picture = render_lower_third(text, canvas.width, canvas.height)
            self.engine.show_overlay(LOWER_THIRD_OVERLAY, picture.bgra, picture.x, picture.y, at_ns=at_ns)

        self._render(show, at_ns)

    # -- the 3-2-1 link run ----------------------------------------------------------------------

    def link_321(self, product_id: str | None = None, *, at_ns: int | None = None) -> LinkPush:
        """Count 3, 2, 1 from the next tick (or at_ns), then pop the card and push the link three
        seconds after it, to the frame."""
        product = self.product(product_id) if product_id else self.current_product
        if product is None:
            raise InputError("no product on the run sheet to push", field="product")
        start_ns = self.engine.next_tick_offset_ns() if at_ns is None else at_ns
        fps = self.engine.show.canvas.fps
        countdown = self._prepared_countdown()
        steps: list[tuple[int, Step]] = []
        for second, digit in enumerate(COUNTDOWN_SECONDS):
            for frame_index, (prepared, x, y) in enumerate(countdown[digit]):
                steps.append((second * fps + frame_index, ShowPicture(COUNTDOWN_OVERLAY, prepared, x, y)))
            if self.settings.countdown_beep:
                steps.append((second * fps, Beep(self._beep())))
        steps.append((len(COUNTDOWN_SECONDS) * fps, HidePicture(COUNTDOWN_OVERLAY)))
        self.engine.run_sequence(steps, at_ns=start_ns)
        pop_ns = start_ns + len(COUNTDOWN_SECONDS) * NS_PER_SECOND
        push = LinkPush(product.id, product.title, product.link_url, {"price": str(product.price), "currency": product.currency})
        # The card half: rendered (if it is not ready) on the worker, scheduled for its own tick.
        self._render(lambda: self._pop_card(product, pop_ns, push), at_ns)
        return push

    def _pop_card(self, product: Product, pop_ns: int, push: LinkPush) -> None:
        picture = self._card_picture(product)
        with self._lock:
            self._runs += 1
            overlay_id = f"card-{self._runs}"
            previous = self._card
            duration_s = self.settings.card_duration_s
            hidden_at_ns = pop_ns + round(duration_s * NS_PER_SECOND) if duration_s > 0 else None
            self._card = CardOnAir(overlay_id, product.id, pop_ns, hidden_at_ns)
        steps: list[tuple[int, Step]] = [(0, ShowPicture(overlay_id, picture.bgra, picture.x, picture.y)), (0, push)]
        if previous is not None:
            steps.append((0, HidePicture(previous.overlay_id)))
        if self.settings.chapter_marks:
            steps.append((0, Chapter(f"\u4e0a\u94fe\u63a5: {product.title}")))  # "上链接": the link pop
        if hidden_at_ns is not None:
            steps.append((self.engine.ticks_for_ms(duration_s * 1000), HidePicture(overlay_id)))
        self.engine.run_sequence(steps, at_ns=pop_ns)
        self.events.card_changed.emit(self._card)

    def dismiss_card(self, *, at_ns: int | None = None) -> None:
        with self._lock:
            card, self._card = self._card, None
        if card is not None:
            self.engine.hide_overlay(card.overlay_id, at_ns=at_ns)
            self.events.card_changed.emit(None)

    @property
    def card_on_air(self) -> CardOnAir | None:
        """The card on screen now (None once it has gone by itself)."""
        return self._card_visible_at(self.engine.next_tick_offset_ns())

    def _card_visible_at(self, when_ns: int) -> CardOnAir | None:
        with self._lock:
            card = self._card
        if card is None or (card.hidden_at_ns is not None and when_ns >= card.hidden_at_ns):
            return None
        return card

    def _refresh_card_on_air(self, at_ns: int | None) -> None:
        """Stock or sold-out changed: redraw the card on screen in place (same id, same box),
        swapped between two ticks: no flicker, no dropped frame."""
        when_ns = at_ns if at_ns is not None else self.engine.next_tick_offset_ns()
        card = self._card_visible_at(when_ns)
        with self._lock:
            product = self._find(card.product_id) if card else None
        if card is None or product is None:
            current = self.current_product
            if current is not None:
                self._prepare_card(current, at_ns)
            return

        def redraw() -> None:
            picture = self._card_picture(product)
            # Before the pop (a change during the countdown), the new look waits for the pop tick.
            swap_ns = max(at_ns, card.shown_at_ns) if at_ns is not None else None
            if swap_ns is None and self.engine.next_tick_offset_ns() < card.shown_at_ns:
                swap_ns = card.shown_at_ns
            self.engine.show_overlay(card.overlay_id, picture.bgra, picture.x, picture.y, at_ns=swap_ns)

        self._render(redraw, at_ns)

    # -- rendering --------------------------------------------------------------------------------

    def _render(self, job: Callable[[], None], at_ns: int | None) -> Future | None:
        """Scripted calls (at_ns) render now, in order; live calls on the worker."""
        if at_ns is not None:
            job()
            return None

        def guarded() -> None:
            try:
                job()
            except Exception as error:  # a broken image must not take the desk down
                log.exception("selling desk job failed")
                self.events.error.emit(f"product card: {error}")

        return self._worker.submit(guarded)

    def _prepare_card(self, product: Product, at_ns: int | None) -> None:
        self._render(lambda: self._card_picture(product), at_ns)

    def _card_picture(self, product: Product) -> RenderedOverlay:
        canvas = self.engine.show.canvas
        corner = product.preset.card_corner or self.settings.card_corner
        # Beside the show, else among the shipped assets (a saved copy of the demo show).
        folder = asset_folder(product.image, self.image_folder) if product.image else self.image_folder
        return self._cards.get(product, canvas.width, canvas.height, CardCorner(corner), folder)

    def _countdown_pictures(self) -> dict[int, list[RenderedOverlay]]:
        with self._countdown_lock:
            if self._countdown is None:
                canvas = self.engine.show.canvas
                self._countdown = render_countdown_set(canvas.width, canvas.height, canvas.fps)
            return self._countdown

    def _prepared_countdown(self) -> dict[int, list[tuple[PreparedPicture, int, int]]]:
        """The digits converted for the program once: a 3-2-1 key press costs no conversion."""
        with self._countdown_lock:
            if self._countdown_prepared is None:
                self._countdown_prepared = {
                    digit: [(self.engine.prepare_picture(p.bgra), p.x, p.y) for p in pictures]
                    for digit, pictures in self._countdown_pictures().items()
                }
            return self._countdown_prepared

    def _beep(self) -> np.ndarray:
        return beep_samples(BEEP_HZ, BEEP_MS, BEEP_DBFS)

    def wait_until_prepared(self, timeout_s: float) -> bool:
        """Wait for the countdown and the first card to be drawn (call it before the show's clock
        starts: drawn at tick 0 they compete with the program for the CPU). True if they are."""
        try:
            self._prepared.result(timeout=timeout_s)
            return True
        except Exception:  # a timeout: the show starts anyway; _warm_up logs its own failures
            return False

    def _warm_up(self) -> None:
        try:
            self._prepared_countdown()
            current = self.current_product
            if current is not None:
                self._card_picture(current)
        except Exception:
            log.exception("preparing the countdown and the first card failed")

    # -- the link push ------------------------------------------------------------------------------

    def _on_link_pushed(self, push: LinkPush) -> None:
        """Program thread, on the pop tick: tell the GUI and queue the webhook (never waits)."""
        self.events.link_pushed.emit(push)
        if self._webhook is not None:
            payload = {
                "event": "link_push",
                "show": self.show_name,
                "product_id": push.product_id,
                "title": push.title,
                "link": push.link,
                "media_time_s": round(push.media_time_ns / NS_PER_SECOND, 3),
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                **push.details,
            }
            if not self._webhook.send(payload):
                self.events.error.emit("link push webhook queue is full; this push was not sent")

    def close(self) -> None:
        self.engine.events.link_pushed.disconnect(self._on_link_pushed)
        self._worker.shutdown(wait=True, cancel_futures=True)
        if self._webhook is not None:
            self._webhook.close(2.0)
