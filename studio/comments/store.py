"""Every accepted comment, stored exactly once, committed before it is acknowledged.

One SQLite file per show session: `CommentStore.for_session(folder, show_name)` creates
`<folder>/<show-slug>-<YYYYmmdd-HHMMSS>.sqlite`; `CommentStore(path)` opens (or creates) a given
file, e.g. to reopen a session after a crash.

Writing
-------
`add_many(comments, verdicts)` stores a batch in one transaction (one executemany) and returns,
per input, a `StoredComment` saying whether it was new or a duplicate. Platforms re-send
messages, so the key is (platform, message id): a duplicate is not stored again and reports the
rowid (and the stored data) of the original, also when both copies are in the same batch.
`add_many` returns only after COMMIT; acknowledge a message to its sender only after that. If
it raises, nothing of the batch was stored (and nothing may be acknowledged).

Durability: WAL journal with `synchronous=NORMAL`. In WAL mode a COMMIT appends the
transaction's pages and a commit frame to the -wal file with write() before it returns, and
only checkpoints call fsync. Once write() has returned the data belongs to the operating
system's page cache, which outlives our process: a kill -9, a segfault or an exception after
`add_many` returned cannot lose the batch, and on the next open SQLite replays the valid
commit frames of the -wal file (a half-written transaction has no commit frame and is
ignored). tests/test_comment_store.py kills a writer with SIGKILL to check exactly this. What
NORMAL does not promise is surviving a power cut or a kernel crash: the last transactions
before it may be rolled back (the database stays consistent). Pass `synchronous="FULL"` (an
fsync per commit, slower on slow disks) to be durable against that too.

Reading
-------
Writes go through one connection behind a lock; reads through a second connection with its
own lock, so the GUI thread reading never waits for a writer's commit (WAL readers see the
last committed state). Both may be used from any thread. Exports open a third, short-lived
connection, so a long export does not hold up the GUI.

Table `comments`: rowid, platform, message_id, user, text, kind, ts (the sender's Unix time),
received_at (our Unix time when stored), hidden (0/1), hidden_reason, intents (sorted,
comma-separated), product_number (NULL: none), pinned_count; UNIQUE(platform, message_id).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Self

from studio.comments.message import Comment, CommentKind
from studio.comments.moderation import NO_VERDICT, Verdict, fold
from studio.engine.errors import StudioError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
COLUMNS = (
    "rowid", "platform", "message_id", "user", "text", "kind", "ts", "received_at",
    "hidden", "hidden_reason", "intents", "product_number", "pinned_count",
)  # fmt: skip
_SELECT = "SELECT " + ", ".join(f'"{name}"' for name in COLUMNS) + " FROM comments"
_INSERT = (
    'INSERT INTO comments (platform, message_id, "user", text, kind, ts, received_at, hidden, hidden_reason, '
    "intents, product_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (platform, message_id) DO NOTHING"
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS comments (
    rowid INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    message_id TEXT NOT NULL,
    "user" TEXT NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts REAL NOT NULL,
    received_at REAL NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,
    hidden_reason TEXT NOT NULL DEFAULT '',
    intents TEXT NOT NULL DEFAULT '',
    product_number INTEGER,
    pinned_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (platform, message_id)
);
CREATE INDEX IF NOT EXISTS comments_by_user ON comments (platform, "user");
CREATE INDEX IF NOT EXISTS comments_by_product ON comments (product_number);
CREATE TABLE IF NOT EXISTS session (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Cells a spreadsheet would run as a formula: "=cmd|...", "@SUM(...)", "+1+cmd|...".
_FORMULA_START = ("=", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-][0-9][0-9.,]*")


class StoreError(StudioError):
    """The comment store cannot be opened or used (not a store, a newer schema...)."""


@dataclass(frozen=True, slots=True)
class StoredComment:
    rowid: int
    comment: Comment
    verdict: Verdict
    duplicate: bool = False
    pinned_count: int = 0
    received_at: float = 0.0


def session_slug(show_name: str) -> str:
    """A file-name-safe version of a show name (Chinese letters kept)."""
    return re.sub(r"[^\w\-]+", "-", show_name, flags=re.UNICODE).strip("-_")[:80] or "show"


class CommentStore:
    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL", show_name: str | None = None) -> None:
        if synchronous.upper() not in ("NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous: expected NORMAL, FULL or EXTRA, got {synchronous!r}")
        self.path = Path(path)
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._closed = False
        opened: list[sqlite3.Connection] = []
        try:
            self._writer = self._connect(synchronous.upper(), opened)
            self._create_schema(show_name)
            self._reader = self._connect(synchronous.upper(), opened)
            self._reader.execute("PRAGMA query_only = 1")
            self._reader.create_function("studio_fold", 1, _fold_or_empty, deterministic=True)
        except BaseException as error:
            for connection in opened:
                connection.close()
            if isinstance(error, sqlite3.DatabaseError):
                raise StoreError(f"{self.path}: cannot open the comment store ({error})") from None
            raise

    @classmethod
    def for_session(cls, folder: Path | str, show_name: str, *, synchronous: str = "NORMAL") -> CommentStore:
        """A new store `<folder>/<slug>-<YYYYmmdd-HHMMSS>.sqlite` (-2, -3... if that exists)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        base = f"{session_slug(show_name)}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
        number = 1
        while True:
            path = folder / (f"{base}.sqlite" if number == 1 else f"{base}-{number}.sqlite")
            try:
                with open(path, "x"):  # claims the name, even against another process
                    break
            except FileExistsError:
                number += 1
        return cls(path, synchronous=synchronous, show_name=show_name)

    # -- set-up ---------------------------------------------------------------------------

    def _connect(self, synchronous: str, opened: list[sqlite3.Connection]) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
        opened.append(connection)
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("%s: SQLite could not use WAL (journal mode %s); readers may wait for writers", self.path, mode)
        connection.execute(f"PRAGMA synchronous = {synchronous}")
        return connection

    def _create_schema(self, show_name: str | None) -> None:
        with self._write_lock:
            version = self._writer.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: made by a newer version of the studio (schema {version})")
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._writer.execute(statement)
                self._writer.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                if show_name is not None:
                    self._writer.execute(
                        "INSERT OR IGNORE INTO session (key, value) VALUES ('show_name', ?), ('created_at', ?)",
                        (show_name, datetime.now().astimezone().isoformat(timespec="seconds")),
                    )
                self._writer.execute("COMMIT")
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise

    # -- writing --------------------------------------------------------------------------

    def add_many(self, comments: Sequence[Comment], verdicts: Sequence[Verdict] | None = None) -> list[StoredComment]:
        """Store a batch in one transaction; returns after COMMIT, one StoredComment per input."""
        if verdicts is None:
            verdicts = [NO_VERDICT] * len(comments)
        if len(verdicts) != len(comments):
            raise ValueError(f"add_many: {len(comments)} comments but {len(verdicts)} verdicts")
        if not comments:
            return []
        received_at = time.time()
        rows = [_insert_values(comment, verdict, received_at) for comment, verdict in zip(comments, verdicts)]
        with self._write_lock:
            connection = self._writer
            connection.execute("BEGIN IMMEDIATE")
            try:
                # One executemany for the batch (its loop runs in C, without a Python step per
                # row), then one query for the rowids it added: while this transaction holds the
                # database's write lock, every new row gets a rowid above the largest one before.
                largest_before = connection.execute("SELECT COALESCE(MAX(rowid), 0) FROM comments").fetchone()[0]
                connection.executemany(_INSERT, rows)
                added = {
                    (platform, message_id): rowid
                    for rowid, platform, message_id in connection.execute(
                        "SELECT rowid, platform, message_id FROM comments WHERE rowid > ?", (largest_before,)
                    )
                }
                results = self._results(connection, comments, verdicts, added, received_at)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        return results

    def _results(
        self,
        connection: sqlite3.Connection,
        comments: Sequence[Comment],
        verdicts: Sequence[Verdict],
        added: dict[tuple[str, str], int],
        received_at: float,
    ) -> list[StoredComment]:
        """One StoredComment per input, in order: new for the first copy of a key this batch
        added, else a duplicate carrying the stored original (also one earlier in this batch)."""
        results: list[StoredComment] = []
        for comment, verdict in zip(comments, verdicts):
            rowid = added.pop((comment.platform, comment.id), None)
            if rowid is not None:
                results.append(StoredComment(rowid, comment, verdict, False, 0, received_at))
                continue
            row = connection.execute(f"{_SELECT} WHERE platform = ? AND message_id = ?", (comment.platform, comment.id)).fetchone()
            if row is None:  # cannot happen: the insert was refused for this key alone
                raise StoreError(f"{self.path}: could not store {comment.platform}:{comment.id}")
            results.append(_stored(row, duplicate=True))
        return results

    def add(self, comment: Comment, verdict: Verdict = NO_VERDICT) -> StoredComment:
        return self.add_many([comment], [verdict])[0]

    def set_hidden(self, rowid: int, hidden: bool, reason: str = "") -> bool:
        """Hide or show one message; False when there is no such rowid."""
        return self._write(
            "UPDATE comments SET hidden = ?, hidden_reason = ? WHERE rowid = ?", (int(bool(hidden)), reason, rowid)
        ) == 1

    def hide_user(self, platform: str | None, user: str, reason: str) -> int:
        """Hide every stored message of a user (on one platform, or any when platform is None).

        Messages already hidden keep their reason; returns how many were newly hidden.
        """
        if platform is None:
            return self._write(
                'UPDATE comments SET hidden = 1, hidden_reason = ? WHERE "user" = ? AND hidden = 0', (reason, user)
            )
        return self._write(
            'UPDATE comments SET hidden = 1, hidden_reason = ? WHERE platform = ? AND "user" = ? AND hidden = 0',
            (reason, platform, user),
        )

    def mark_pinned(self, rowid: int) -> int | None:
        """Count one more pin of a message (it was shown on program); its new count, None if unknown."""
        with self._write_lock:
            self._writer.execute("UPDATE comments SET pinned_count = pinned_count + 1 WHERE rowid = ?", (rowid,))
            row = self._writer.execute("SELECT pinned_count FROM comments WHERE rowid = ?", (rowid,)).fetchone()
        return None if row is None else int(row[0])

    def _write(self, sql: str, parameters: tuple) -> int:
        with self._write_lock:
            return self._writer.execute(sql, parameters).rowcount

    # -- reading --------------------------------------------------------------------------

    def count(self, *, include_hidden: bool = True) -> int:
        sql = "SELECT COUNT(*) FROM comments" + ("" if include_hidden else " WHERE hidden = 0")
        with self._read_lock:
            return int(self._reader.execute(sql).fetchone()[0])

    def get(self, platform: str, message_id: str) -> StoredComment | None:
        with self._read_lock:
            row = self._reader.execute(
                f"{_SELECT} WHERE platform = ? AND message_id = ?", (platform, str(message_id))
            ).fetchone()
        return None if row is None else _stored(row)

    def by_rowid(self, rowid: int) -> StoredComment | None:
        with self._read_lock:
            row = self._reader.execute(f"{_SELECT} WHERE rowid = ?", (int(rowid),)).fetchone()
        return None if row is None else _stored(row)

    get_by_rowid = by_rowid

    def recent(
        self,
        limit: int = 200,
        *,
        kind: CommentKind | str | None = None,
        intent: str | None = None,
        product_number: int | None = None,
        search: str | None = None,
        include_hidden: bool = True,
    ) -> list[StoredComment]:
        """The newest messages first, filtered; `search` is a case-insensitive substring of text or user."""
        clauses: list[str] = []
        parameters: list[object] = []
        if not include_hidden:
            clauses.append("hidden = 0")
        if kind is not None:
            clauses.append("kind = ?")
            parameters.append(CommentKind(kind).value)
        if intent:
            clauses.append("instr(',' || intents || ',', ?) > 0")
            parameters.append(f",{intent},")
        if product_number is not None:
            clauses.append("product_number = ?")
            parameters.append(int(product_number))
        if search:
            if search.isascii():
                # SQLite's LIKE folds ASCII case; % _ and \ in the search are escaped.
                pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                clauses.append("(text LIKE ? ESCAPE '\\' OR \"user\" LIKE ? ESCAPE '\\')")
                parameters += [pattern, pattern]
            else:
                # Beyond ASCII: our own folding (NFKC + casefold: Ä/ä, full-width letters).
                folded = fold(search)
                clauses.append("(instr(studio_fold(text), ?) > 0 OR instr(studio_fold(\"user\"), ?) > 0)")
                parameters += [folded, folded]
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        parameters.append(max(0, int(limit)))
        with self._read_lock:
            rows = self._reader.execute(f"{_SELECT}{where} ORDER BY rowid DESC LIMIT ?", parameters).fetchall()
        return [_stored(row) for row in rows]

    def since(self, after_rowid: int, limit: int = 500, *, include_hidden: bool = True) -> list[StoredComment]:
        """Messages stored after `after_rowid`, oldest first (for a live feed that polls)."""
        hidden = "" if include_hidden else " AND hidden = 0"
        with self._read_lock:
            rows = self._reader.execute(
                f"{_SELECT} WHERE rowid > ?{hidden} ORDER BY rowid LIMIT ?", (int(after_rowid), max(0, int(limit)))
            ).fetchall()
        return [_stored(row) for row in rows]

    def intent_counts(self, *, include_hidden: bool = True) -> dict[tuple[int | None, str], int]:
        """How many messages show each intent, per product number (None: no product named)."""
        hidden = "" if include_hidden else " AND hidden = 0"
        with self._read_lock:
            rows = self._reader.execute(
                f"SELECT product_number, intents, COUNT(*) FROM comments WHERE intents != ''{hidden} "
                "GROUP BY product_number, intents"
            ).fetchall()
        counts: dict[tuple[int | None, str], int] = {}
        for product_number, intents, number in rows:
            for intent in intents.split(","):
                key = (product_number, intent)
                counts[key] = counts.get(key, 0) + number
        return counts

    def session_info(self) -> dict[str, str]:
        with self._read_lock:
            return dict(self._reader.execute("SELECT key, value FROM session").fetchall())

    # -- export ---------------------------------------------------------------------------

    def export_csv(self, path: Path | str) -> int:
        """Everything, oldest first, as CSV with a header; returns the number of messages.

        UTF-8 with a BOM (so Excel reads Chinese correctly). intents are comma-separated,
        hidden is 0/1, product_number is empty for none. A text, user or id that a spreadsheet
        would run as a formula (starting with =, @, or + / - not followed by a plain number)
        gets a leading ' so it is shown as text: the JSON Lines export is the exact copy.
        """
        def write(file) -> int:
            writer = csv.writer(file)
            writer.writerow(COLUMNS)
            written = 0
            for row in self._rows_oldest_first():
                values = list(row)
                for index in (2, 3, 4):  # message_id, user, text
                    values[index] = _csv_safe(values[index])
                if values[11] is None:
                    values[11] = ""
                writer.writerow(values)
                written += 1
            return written

        return self._export(Path(path), write, encoding="utf-8-sig", newline="")

    def export_jsonl(self, path: Path | str) -> int:
        """Everything, oldest first, one JSON object per line (UTF-8, not \\u-escaped); returns the count.

        Keys as the table's columns; hidden is true/false, intents a list, product_number null for none.
        """
        def write(file) -> int:
            written = 0
            for row in self._rows_oldest_first():
                record = dict(zip(COLUMNS, row))
                record["hidden"] = bool(record["hidden"])
                record["intents"] = _split_intents(record["intents"])
                file.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
                written += 1
            return written

        return self._export(Path(path), write, encoding="utf-8", newline="\n")

    def _export(self, path: Path, write, *, encoding: str, newline: str) -> int:
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with open(temporary, "w", encoding=encoding, newline=newline) as file:
                written = write(file)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return written

    def _rows_oldest_first(self) -> Iterator[tuple]:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        try:
            connection.execute("PRAGMA query_only = 1")
            # One read transaction: a consistent snapshot even while messages keep arriving.
            connection.execute("BEGIN")
            yield from connection.execute(f"{_SELECT} ORDER BY rowid")
            connection.execute("COMMIT")
        finally:
            connection.close()

    # -- life cycle -----------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._write_lock, self._read_lock:
            self._reader.close()
            self._writer.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _insert_values(comment: Comment, verdict: Verdict, received_at: float) -> tuple:
    return (
        comment.platform,
        comment.id,
        comment.user,
        comment.text,
        CommentKind(comment.kind).value,
        float(comment.ts),
        received_at,
        int(bool(verdict.hidden)),
        verdict.reason,
        ",".join(sorted(intent.replace(",", " ") for intent in verdict.intents)),
        verdict.product_number,
    )


def _stored(row: tuple, *, duplicate: bool = False) -> StoredComment:
    (rowid, platform, message_id, user, text, kind, ts, received_at, hidden, reason, intents, product_number,
     pinned_count) = row  # fmt: skip
    comment = Comment(id=message_id, platform=platform, user=user, text=text, kind=CommentKind(kind), ts=ts)
    verdict = Verdict(
        hidden=bool(hidden), reason=reason, intents=frozenset(_split_intents(intents)), product_number=product_number
    )
    return StoredComment(rowid, comment, verdict, duplicate, pinned_count, received_at)


def _split_intents(intents: str) -> list[str]:
    return [intent for intent in intents.split(",") if intent]


def _fold_or_empty(value: object) -> str:
    return fold(value) if isinstance(value, str) else ""


def _csv_safe(value: str) -> str:
    if value.startswith(_FORMULA_START) or (value[:1] in ("+", "-") and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value
