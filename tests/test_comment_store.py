"""CommentStore: exactly once, nothing acknowledged lost (even on kill -9), queries, exports."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from studio.comments.message import Comment, CommentKind, parse_message
from studio.comments.moderation import Moderator, Verdict
from studio.comments.store import COLUMNS, CommentStore, StoreError
from studio.engine.comment_settings import CommentSettings

REPO_ROOT = Path(__file__).resolve().parents[1]


def make(message_id: str, text: str = "hello", *, platform: str = "douyin", user: str = "viewer", kind: str = "comment"):
    return parse_message({"id": message_id, "platform": platform, "user": user, "text": text, "kind": kind, "ts": 1718000000.5})


@pytest.fixture
def store(tmp_path: Path):
    opened = CommentStore(tmp_path / "comments.sqlite")
    yield opened
    opened.close()


def test_for_session_names_the_file_after_the_show_and_the_time(tmp_path: Path) -> None:
    first = CommentStore.for_session(tmp_path / "sessions", "春装 Spring/Show!")
    second = CommentStore.for_session(tmp_path / "sessions", "春装 Spring/Show!")
    try:
        assert re.fullmatch(r"春装-Spring-Show-\d{8}-\d{6}\.sqlite", first.path.name)
        assert second.path != first.path and second.path.exists()
        assert first.session_info()["show_name"] == "春装 Spring/Show!"
        assert first.path.parent == tmp_path / "sessions"
        journal = sqlite3.connect(first.path).execute("PRAGMA journal_mode").fetchone()[0]
        assert journal == "wal"
    finally:
        first.close()
        second.close()


def test_a_duplicate_is_stored_once_and_reports_the_original(store: CommentStore) -> None:
    [first] = store.add_many([make("m1", "first")], [Verdict(intents=frozenset({"buy"}))])
    assert not first.duplicate and first.rowid > 0
    [again] = store.add_many([make("m1", "re-sent, maybe changed")], [Verdict()])
    assert again.duplicate and again.rowid == first.rowid
    assert again.comment.text == "first" and again.verdict.intents == {"buy"}  # the stored original
    assert store.count() == 1


def test_duplicates_inside_one_batch_and_across_platforms(store: CommentStore) -> None:
    batch = [make("7"), make("7", platform="tiktok"), make("7"), make("8")]
    results = store.add_many(batch, [Verdict()] * 4)
    assert [result.duplicate for result in results] == [False, False, True, False]
    assert results[2].rowid == results[0].rowid
    assert results[1].rowid != results[0].rowid
    assert store.count() == 3
    assert store.get("douyin", "7").rowid == results[0].rowid
    assert store.get("tiktok", "7").rowid == results[1].rowid
    assert store.get("twitch", "7") is None


def test_a_batch_mixing_stored_new_and_repeated_keys_answers_each_input(store: CommentStore) -> None:
    [old] = store.add_many([make("old", "the original")], [Verdict()])
    broken = Comment("bad", "douyin", "u", "half \ud800 surrogate", CommentKind.COMMENT, 1.0)
    with pytest.raises(UnicodeEncodeError):  # rolled back: its rows and rowids are not there
        store.add_many([make("lost"), broken], [Verdict(), Verdict()])
    batch = [make("new"), make("old", "re-sent"), make("new", "again"), make("other")]
    results = store.add_many(batch, [Verdict(intents=frozenset({"buy"}))] * 4)
    assert [result.duplicate for result in results] == [False, True, True, False]
    assert results[1].rowid == old.rowid and results[1].comment.text == "the original"
    assert results[2].rowid == results[0].rowid and results[2].comment.text == "hello"  # the first copy is the original
    assert old.rowid < results[0].rowid < results[3].rowid  # stored in arrival order
    assert results[0].comment is batch[0] and results[0].verdict.intents == {"buy"}
    assert store.get("douyin", "lost") is None and store.count() == 3


def test_a_failed_batch_stores_nothing(store: CommentStore) -> None:
    store.add_many([make("ok")], [Verdict()])
    broken = Comment("bad", "douyin", "u", "half \ud800 surrogate", CommentKind.COMMENT, 1.0)  # not storable
    with pytest.raises(UnicodeEncodeError):
        store.add_many([make("new"), broken], [Verdict(), Verdict()])
    assert store.count() == 1 and store.get("douyin", "new") is None
    store.add_many([make("new")], [Verdict()])  # the store still works
    assert store.count() == 2
    with pytest.raises(ValueError, match="2 comments but 1 verdicts"):
        store.add_many([make("a"), make("b")], [Verdict()])


def test_fields_and_verdicts_are_kept(store: CommentStore) -> None:
    hostile = '<img src=x onerror="alert(1)"> مرحبا 😀\'; DROP TABLE comments; --'
    comment = make("x", hostile, user="小美")
    verdict = Verdict(hidden=True, reason="blocked word 'x'", intents=frozenset({"price", "product"}), product_number=3)
    [stored] = store.add_many([comment], [verdict])
    got = store.get("douyin", "x")
    assert got.comment == comment and got.verdict == verdict and got.rowid == stored.rowid
    assert got.received_at == pytest.approx(time.time(), abs=60)


def test_recent_filters(store: CommentStore) -> None:
    moderator = Moderator(CommentSettings(blocked_words=["spam"]), 3)
    comments = [
        make("1", "3号多少钱"),
        make("2", "想要 #2"),
        make("3", "link please", user="Alice"),
        make("4", "", kind="like"),
        make("5", "spam 想要 3号"),
        make("6", "100% off_sale \\o/", user="bob"),
        make("7", "ÄRGER mit Größe", user="Jürgen"),
        make("8", "ＦＵＬＬ width"),
    ]
    store.add_many(comments, [moderator.classify(comment) for comment in comments])

    def ids(**filters) -> list[str]:
        return [stored.comment.id for stored in store.recent(**filters)]

    assert ids() == ["8", "7", "6", "5", "4", "3", "2", "1"]  # newest first
    assert ids(limit=2) == ["8", "7"]
    assert ids(kind="like") == ["4"]
    assert ids(kind=CommentKind.COMMENT, limit=1) == ["8"]
    assert ids(intent="buy") == ["5", "2"]
    assert ids(intent="bu") == []  # whole intents only
    assert ids(product_number=3) == ["5", "1"]
    assert ids(product_number=3, include_hidden=False) == ["1"]
    assert ids(include_hidden=False) == ["8", "7", "6", "4", "3", "2", "1"]
    assert ids(search="LINK") == ["3"]
    assert ids(search="alice") == ["3"]  # the user name too
    assert ids(search="100%") == ["6"]
    assert ids(search="%") == ["6"]  # LIKE wildcards are escaped
    assert ids(search="_") == ["6"]
    assert ids(search="\\o/") == ["6"]
    assert ids(search="多少") == ["1"]
    assert ids(search="ärger") == ["7"]  # beyond ASCII, case-insensitive too
    assert ids(search="GRÖSSE") == ["7"]
    assert ids(search="jürgen") == ["7"]
    assert ids(search="ｆｕｌｌ") == ["8"]
    assert ids(search="nothing like this") == []


def test_intent_counts_per_product(store: CommentStore) -> None:
    moderator = Moderator(CommentSettings(blocked_words=["spam"]), 3)
    comments = [make("1", "3号多少钱"), make("2", "3号 想要"), make("3", "想要"), make("4", "spam 3号想要"), make("5", "hi")]
    store.add_many(comments, [moderator.classify(comment) for comment in comments])
    assert store.intent_counts() == {
        (3, "price"): 1,
        (3, "product"): 3,
        (3, "buy"): 2,
        (None, "buy"): 1,
    }
    assert store.intent_counts(include_hidden=False)[(3, "buy")] == 1


def test_hiding_and_pinning(store: CommentStore) -> None:
    results = store.add_many(
        [make("1", user="troll"), make("2", user="troll"), make("3", user="troll", platform="tiktok"), make("4")],
        [Verdict(), Verdict(hidden=True, reason="blocked word 'x'"), Verdict(), Verdict()],
    )
    assert store.hide_user("douyin", "troll", "blocked user 'troll'") == 1  # #2 was hidden already
    assert store.get("douyin", "1").verdict.reason == "blocked user 'troll'"
    assert store.get("douyin", "2").verdict.reason == "blocked word 'x'"  # keeps its first reason
    assert not store.get("tiktok", "3").verdict.hidden
    assert store.hide_user(None, "troll", "blocked everywhere") == 1
    assert store.count(include_hidden=False) == 1

    assert store.set_hidden(results[3].rowid, True, "by the host")
    assert store.get("douyin", "4").verdict == Verdict(hidden=True, reason="by the host")
    assert store.set_hidden(results[3].rowid, False, "")
    assert not store.get("douyin", "4").verdict.hidden
    assert not store.set_hidden(99999, True, "x")

    assert store.mark_pinned(results[3].rowid) == 1
    assert store.mark_pinned(results[3].rowid) == 2
    assert store.get("douyin", "4").pinned_count == 2
    assert store.mark_pinned(99999) is None
    assert store.by_rowid(results[3].rowid).comment.id == "4"
    assert store.by_rowid(99999) is None


def test_since_feeds_new_messages_in_order(store: CommentStore) -> None:
    results = store.add_many([make(str(index)) for index in range(5)], [Verdict()] * 5)
    assert [stored.comment.id for stored in store.since(results[1].rowid)] == ["2", "3", "4"]
    assert [stored.comment.id for stored in store.since(0, limit=2)] == ["0", "1"]


HOSTILE_TEXTS = [
    "plain",
    'comma, "quotes" and\nnewline? (cleaned to a space)',
    "=HYPERLINK(\"http://evil\",\"x\")",
    "+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "😀" * 50,
    "مرحبا עולם",
    "<b>bold</b>",
]


def _filled(store: CommentStore) -> list:
    moderator = Moderator(CommentSettings(blocked_words=["evil"]), 3)
    comments = [make(str(index), text, user=f"用户{index}") for index, text in enumerate(HOSTILE_TEXTS)]
    comments.append(make("like", "", kind="like", user="=cmd"))
    return store.add_many(comments, [moderator.classify(comment) for comment in comments])


def test_export_jsonl_round_trips(store: CommentStore, tmp_path: Path) -> None:
    stored = _filled(store)
    path = tmp_path / "out" / "comments.jsonl"
    path.parent.mkdir()
    assert store.export_jsonl(path) == len(stored)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(stored)
    for line, original in zip(lines, stored):  # oldest first
        record = json.loads(line)
        assert list(record) == list(COLUMNS)
        assert record["rowid"] == original.rowid
        assert record["message_id"] == original.comment.id
        assert record["user"] == original.comment.user and record["text"] == original.comment.text
        assert record["kind"] == original.comment.kind.value and record["ts"] == original.comment.ts
        assert record["hidden"] is original.verdict.hidden and record["hidden_reason"] == original.verdict.reason
        assert set(record["intents"]) == original.verdict.intents
        assert record["product_number"] == original.verdict.product_number
    assert "😀" in path.read_text(encoding="utf-8")  # not \u-escaped


def test_export_csv_round_trips_and_defuses_formulas(store: CommentStore, tmp_path: Path) -> None:
    stored = _filled(store)
    path = tmp_path / "comments.csv"
    assert store.export_csv(path) == len(stored)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with the BOM Excel wants
    with open(path, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == len(stored)
    for row, original in zip(rows, stored):
        text = row["text"]
        if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
            text = text[1:]
        assert text == original.comment.text
        assert int(row["rowid"]) == original.rowid and row["message_id"] == original.comment.id
        assert float(row["ts"]) == original.comment.ts
        assert row["hidden"] == str(int(original.verdict.hidden))
        assert set(filter(None, row["intents"].split(","))) == original.verdict.intents
        assert row["product_number"] == ("" if original.verdict.product_number is None else str(original.verdict.product_number))
    by_id = {row["message_id"]: row for row in rows}
    assert by_id["2"]["text"].startswith("'=")  # would be a formula in a spreadsheet
    assert by_id["4"]["text"].startswith("'-2+3")
    assert by_id["5"]["text"].startswith("'@")
    assert by_id["3"]["text"] == "+1"  # a plain number stays as it is
    assert by_id["like"]["user"] == "'=cmd"


def test_concurrent_writer_and_readers(store: CommentStore) -> None:
    moderator = Moderator(CommentSettings(), 3)
    errors: list[BaseException] = []
    done = threading.Event()
    batches, size = 60, 25

    def write() -> None:
        try:
            for batch in range(batches):
                comments = [make(f"{batch}-{index}", "3号 想要") for index in range(size)]
                store.add_many(comments, [moderator.classify(comment) for comment in comments])
                # a re-sent batch from a flaky platform
                again = store.add_many(comments[:5], [Verdict()] * 5)
                assert all(stored.duplicate for stored in again)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            done.set()

    def read() -> None:
        try:
            last = 0
            while not done.is_set():
                count = store.count()
                assert count >= last and count % size == 0  # whole batches only
                last = count
                recent = store.recent(50, intent="buy")
                assert all("buy" in stored.verdict.intents for stored in recent)
                counts = store.intent_counts()
                assert counts.get((3, "buy"), 0) >= last
                store.recent(20, search="想要")
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert store.count() == batches * size
    assert store.intent_counts()[(3, "buy")] == batches * size


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with CommentStore(path) as store:
        store.add_many([make("1"), make("2")], [Verdict(), Verdict(hidden=True, reason="r")])
    with CommentStore(path) as store:
        assert store.count() == 2 and store.get("douyin", "2").verdict.hidden
        assert store.add_many([make("2")], [Verdict()])[0].duplicate


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the comment store"):
        CommentStore(path)


CHILD = r"""
import sys
from pathlib import Path
from studio.comments.message import parse_message
from studio.comments.moderation import Verdict
from studio.comments.store import CommentStore

store = CommentStore(Path(sys.argv[1]))
batch = 0
while True:
    comments = [parse_message({"id": f"{batch}-{i}", "user": "u", "text": "想要 " * 20 + str(i)}) for i in range(50)]
    store.add_many(comments, [Verdict()] * len(comments))
    # acknowledged: add_many returned, so the batch was committed
    print(" ".join(comment.id for comment in comments), flush=True)
    batch += 1
"""


@pytest.mark.parametrize("kill_after", [300, 5000])
def test_nothing_acknowledged_is_lost_on_kill_9(tmp_path: Path, kill_after: int) -> None:
    path = tmp_path / "killed.sqlite"
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
    )
    acknowledged: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while len(acknowledged) < kill_after and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            acknowledged += line.decode().split()
        assert len(acknowledged) >= kill_after, child.stderr.read().decode()[-2000:]
    finally:
        os.kill(child.pid, signal.SIGKILL)  # mid-way: it is writing the next batches
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    # Anything printed before the kill still sits in the pipe: it was acknowledged too.
    rest = child.stdout.read()
    for line in rest[: rest.rfind(b"\n") + 1].decode().splitlines():  # whole lines only
        acknowledged += line.split()
    child.stdout.close()
    child.stderr.close()

    with CommentStore(path) as store:
        stored = {stored.comment.id for stored in store.recent(limit=10**9)}
        assert len(stored) == store.count()
    missing = [message_id for message_id in acknowledged if message_id not in stored]
    assert not missing, f"{len(missing)} acknowledged messages lost, e.g. {missing[:5]}"
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    print(f"\nkill -9 after {len(acknowledged)} acknowledged messages: {len(stored)} stored, none lost")


def test_throughput_is_reported(tmp_path: Path) -> None:
    """Prints messages/s with batches of 50 (parse + classify + store); speed is never asserted."""
    moderator = Moderator(CommentSettings(blocked_words=["spam"]), 10)
    batch_size, batches = 50, 200
    raw = [
        [json.dumps({"id": f"{batch}-{index}", "platform": "douyin", "user": f"用户{index}", "text": "3号多少钱 想要 link"}).encode()
         for index in range(batch_size)]
        for batch in range(batches)
    ]  # fmt: skip
    with CommentStore(tmp_path / "speed.sqlite") as store:
        store_seconds = 0.0
        started = time.perf_counter()
        for batch in raw:
            comments = [parse_message(message) for message in batch]
            verdicts = [moderator.classify(comment) for comment in comments]
            before = time.perf_counter()
            store.add_many(comments, verdicts)
            store_seconds += time.perf_counter() - before
        total = time.perf_counter() - started
        assert store.count() == batch_size * batches
    count = batch_size * batches
    print(
        f"\nthroughput, batches of {batch_size}: add_many {count / store_seconds:,.0f} messages/s; "
        f"parse + classify + add_many {count / total:,.0f} messages/s"
    )
