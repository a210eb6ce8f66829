"""The comment desk: where every comment source meets the store, moderation and the screen.

Sources (the local API, Twitch, the replay player, scripts) hand batches to `ingest`, which
classifies, stores (one transaction per batch) and only then returns, so a source acknowledges
what is safely on disk. The feed hears about new comments through `events.comments_added`.

On screen: `pin_comment` puts one comment on program as a card (hidden after pin_seconds), and
the optional ticker shows the latest visible comments, redrawn at most once a second so a burst
keeps a readable pace while the store and the feed keep everything. Blocked words and users are
kept in the store, marked hidden, and never drawn.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from psygnal import Signal

from studio.comments.message import Comment, parse_message
from studio.comments.moderation import Moderator
from studio.comments.store import CommentStore, StoredComment
from studio.engine.engine import Engine
from studio.engine.errors import InputError
from studio.engine.graphics.comment_card import CommentCardCache
from studio.engine.graphics.ticker import render_ticker
from studio.engine.sequence import HidePicture, ShowPicture, Step
from studio.engine.show import Show

log = logging.getLogger(__name__)

TICKER_OVERLAY = "comment-ticker"
TICKER_ITEMS = 6
TICKER_MIN_INTERVAL_S = 1.0


class CommentDeskEvents:
    comments_added = Signal(object)
    """payload: list[StoredComment], the new ones of a batch (duplicates left out). Fires on the
    thread that ingested them (an API worker, the replay player, a script)."""

    counts_changed = Signal()
    """intent counters changed. Fires with comments_added."""

    pinned = Signal(object)
    """payload: the StoredComment now pinned, or None when unpinned. Fires on the caller's thread."""

    error = Signal(str)


class CommentDesk:
    def __init__(self, engine: Engine, show: Show, store: CommentStore) -> None:
        self.engine = engine
        self.settings = show.comments
        self.store = store
        self.events = CommentDeskEvents()
        self._product_titles = [product.title for product in show.products]
        self._moderator = Moderator(self.settings, len(self._product_titles))
        self._lock = threading.Lock()
        self._cards = CommentCardCache()
        self._pins = 0
        self._pinned_overlay: str | None = None
        self._ticker_items: deque[tuple[str, str]] = deque(maxlen=TICKER_ITEMS)
        self._ticker_drawn_s = 0.0
        self._ticker_pending = False
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="comment-desk")

    # -- ingestion (any thread) ---------------------------------------------------------------------

    def ingest(self, comments: list[Comment]) -> list[StoredComment]:
        """Classify and store a batch; returns one StoredComment per input (duplicate=True for
        one already stored) after the batch is committed."""
        if not comments:
            return []
        verdicts = [self._moderator.classify(comment) for comment in comments]
        with self._lock:  # one writer: SQLite serializes anyway, and the order stays the arrival order
            stored = self.store.add_many(comments, verdicts)
        new = [item for item in stored if not item.duplicate]
        if new:
            self.events.comments_added.emit(new)
            self.events.counts_changed.emit()
            if self.settings.ticker:
                self._feed_ticker(new)
        return stored

    def inject(self, message: dict) -> StoredComment:
        """One message with the API's fields (a script's inject_comment); raises InputError with
        the field that is wrong."""
        try:
            comment = parse_message(message, default_platform="script", received_ns=time.monotonic_ns())
        except ValueError as error:
            raise InputError(str(error), field=getattr(error, "field", None) or "message") from None
        return self.ingest([comment])[0]

    # -- on screen ----------------------------------------------------------------------------------

    def pin_comment(self, rowid: int, *, at_ns: int | None = None) -> StoredComment:
        """Put a stored comment on program as a card (from the next tick, or at_ns). A hidden
        (blocked) comment is refused."""
        stored = self._stored(rowid)
        if stored.verdict.hidden:
            raise InputError(f"comment {rowid} is hidden ({stored.verdict.reason}); unblock it to pin it", field="comment")
        self.pin_comment_content(stored.comment, at_ns=at_ns)
        self.store.mark_pinned(rowid)
        self.events.pinned.emit(stored)
        return stored

    def pin_comment_content(self, comment: Comment, *, at_ns: int | None = None) -> None:
        """Show a comment's card. Scripts pin comments they inject, before the store has them."""
        canvas = self.engine.show.canvas
        picture = self._cards.get(comment.user, comment.text, comment.platform, canvas.width, canvas.height)
        with self._lock:
            self._pins += 1
            overlay_id, previous = f"comment-{self._pins}", self._pinned_overlay
            self._pinned_overlay = overlay_id
        steps: list[tuple[int, Step]] = [(0, ShowPicture(overlay_id, picture.bgra, picture.x, picture.y))]
        if previous is not None:
            steps.append((0, HidePicture(previous)))
        if self.settings.pin_seconds > 0:
            steps.append((self.engine.ticks_for_ms(self.settings.pin_seconds * 1000), HidePicture(overlay_id)))
        self.engine.run_sequence(steps, at_ns=at_ns)

    def unpin(self, *, at_ns: int | None = None) -> None:
        with self._lock:
            overlay_id, self._pinned_overlay = self._pinned_overlay, None
        if overlay_id is not None:
            self.engine.hide_overlay(overlay_id, at_ns=at_ns)
            self.events.pinned.emit(None)

    def block_user(self, platform: str, user: str) -> int:
        """Hide a user from now on and every message of theirs already stored; returns how many."""
        key = f"{platform}:{user}"
        if key not in self.settings.blocked_users:
            self.settings = self.settings.model_copy(update={"blocked_users": [*self.settings.blocked_users, key]})
            self._moderator.update(self.settings, len(self._product_titles))
        count = self.store.hide_user(platform, user, f"blocked user '{user}'")
        self.events.counts_changed.emit()
        return count

    def product_titles(self) -> list[str]:
        return list(self._product_titles)

    def set_products(self, titles: list[str]) -> None:
        """The run sheet changed: product numbers in comments refer to the new order."""
        self._product_titles = list(titles)
        self._moderator.update(self.settings, len(titles))

    def _stored(self, rowid: int) -> StoredComment:
        found = self.store.by_rowid(rowid)
        if found is None:
            raise InputError(f"no stored comment {rowid}", field="comment")
        return found

    # -- the ticker ---------------------------------------------------------------------------------

    def _feed_ticker(self, new: list[StoredComment]) -> None:
        # Only the newest TICKER_ITEMS visible ones can be shown: a batch of hundreds costs a few steps.
        latest: list[tuple[str, str]] = []
        for item in reversed(new):
            if not item.verdict.hidden and item.comment.text:
                latest.append((item.comment.user, item.comment.text))
                if len(latest) == TICKER_ITEMS:
                    break
        self._ticker_items.extend(reversed(latest))
        now_s = time.monotonic()
        with self._lock:
            if self._ticker_pending:
                return
            self._ticker_pending = True
        delay_s = max(0.0, TICKER_MIN_INTERVAL_S - (now_s - self._ticker_drawn_s))
        self._worker.submit(self._draw_ticker, delay_s)

    def _draw_ticker(self, delay_s: float) -> None:
        # A burst becomes one redraw a second: readable on screen, cheap for the program.
        if delay_s:
            time.sleep(delay_s)
        with self._lock:
            self._ticker_pending = False
            items = list(self._ticker_items)
        self._ticker_drawn_s = time.monotonic()
        if not items:
            return
        try:
            canvas = self.engine.show.canvas
            picture = render_ticker(items, canvas.width, canvas.height)
            self.engine.show_overlay(TICKER_OVERLAY, picture.bgra, picture.x, picture.y)
        except Exception as error:
            log.exception("drawing the comment ticker failed")
            self.events.error.emit(f"comment ticker: {error}")

    def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)


def default_store(show: Show, folder: Path | None = None) -> CommentStore:
    """One database per show session, in the user's data folder (STUDIO_DATA_DIR overrides it)
    unless a folder is given."""
    import os

    import platformdirs

    data_dir = os.environ.get("STUDIO_DATA_DIR") or platformdirs.user_data_dir("live-selling-studio")
    folder = folder or Path(data_dir) / "comments"
    folder.mkdir(parents=True, exist_ok=True)
    return CommentStore.for_session(folder, show.name)
