"""SoMe-coach benchmarks: one command, one table.

    python3 dev.py test --version >/dev/null   # (once) creates .venv with the test tools
    .venv/bin/pip install -e '.[bench]'        # rank_bm25, the baseline
    .venv/bin/python benchmarks/run.py         # add --quick for a short run

Every figure is a median and a p99 over several runs after a warm-up; ratios are measured side by
side in the same run on the same corpus.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.ask import OfflineAsker  # noqa: E402
from bot.core.knowledge import KnowledgeBase, Passage, Post, PostMeta  # noqa: E402
from bot.core.knowledge.bundle import load_all  # noqa: E402
from bot.core.router import Coach  # noqa: E402
from bot.core.search import SearchIndex  # noqa: E402

QUESTIONS = [
    "Hva er gjennomsiktighet?",
    "Hvordan får en bedrift mange følgere?",
    "What is a verified user on Twitter?",
    "hvem er redaktor for itfag bloggen",
    "Hvorfor trenger en bedrift en strategi?",
    "Hva koster en annonse på Facebook?",
    "Hvem er Elegantè til for?",
    "How can a company build credibility?",
]
ROWS: list[tuple[str, str, str, str]] = []


def timed(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(what: str, values: list[float], unit: str = "ms", note: str = "") -> tuple[float, float]:
    p50, p99 = statistics.median(values), p(values, 0.99)
    ROWS.append((what, f"{p50:.3f} {unit}", f"{p99:.3f} {unit}", note))
    return p50, p99


def synthetic(size: int, base: KnowledgeBase, seed: int = 7) -> KnowledgeBase:
    """Build a knowledge base of `size` passages from the course's own sentences and words."""
    rng = random.Random(seed)
    sentences = [s for p in base.passages for s in re.split(r"(?<=[.!?])\s+", p.text) if s]
    vocab = [w for p in base.passages for w in p.text.split()]
    posts = []
    passages = []
    per_post = 50
    for start in range(0, size, per_post):
        slug = f"syn-{start // per_post}"
        meta = PostMeta(title=f"Syntetisk {start // per_post}", slug=slug, topics=["syntetisk"])
        chunk = []
        for i in range(start, min(size, start + per_post)):
            text = " ".join(rng.sample(sentences, 2)) + " " + " ".join(rng.sample(vocab, 12))
            chunk.append(
                Passage(i, slug, meta.title, f"knowledge/{slug}.md", i - start, "", text, 0, 1)
            )
        passages.extend(chunk)
        posts.append(Post(meta=meta, path=f"knowledge/{slug}.md", body="", passages=tuple(chunk)))
    return KnowledgeBase(posts=tuple(posts), passages=tuple(passages))


def bench_ask(quick: bool) -> None:
    knowledge = load_all(ROOT / "knowledge")
    coach = Coach(knowledge)
    runs = 50 if quick else 300
    qs = iter(QUESTIONS * 1000)
    values = timed(lambda: coach.asking.answer_offline(next(qs)), runs)
    row("!ask offline, course (36 passages)", values, note="target p99 < 2 ms")
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        ROWS.append(("rank_bm25 baseline", "-", "-", "pip install -e '.[bench]'"))
        BM25Okapi = None
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    for size in sizes:
        base = synthetic(size, knowledge.base)
        start = time.perf_counter()
        index = SearchIndex(base, knowledge.lexicon)
        build = (time.perf_counter() - start) * 1000
        asker = OfflineAsker(index, knowledge.strings)
        n = 30 if quick else (200 if size < 100_000 else 60)
        qs = iter(QUESTIONS * 1000)
        whole = timed(lambda: asker.ask(next(qs)), n)
        w50, _ = row(
            f"!ask offline, {size:,} passages", whole, note=f"index built in {build:.0f} ms"
        )
        qs = iter(QUESTIONS * 1000)
        bare = timed(lambda: index.top(index.analyse(next(qs)).weights, k=20), n)
        b50, _ = row(f"bare search (tokenize, score, top k), {size:,}", bare)
        ROWS.append(
            (
                f"  whole !ask / bare search, {size:,}",
                f"{w50 / b50:.2f}x",
                "",
                "target <= 1.5x from 10,000",
            )
        )
        if BM25Okapi is not None and size <= 10_000:
            corpus = [index.passage_terms(p) for p in base.passages]
            okapi = BM25Okapi(corpus)
            qs = iter(QUESTIONS * 1000)

            def baseline() -> None:
                query = index.analyse(next(qs))
                scores = okapi.get_scores(list(query.weights))
                sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:20]

            base_times = timed(baseline, max(10, n // 4), warmup=1)
            r50, _ = row(f"rank_bm25 search, {size:,}", base_times)
            ROWS.append(
                (
                    f"  rank_bm25 / bare search, {size:,}",
                    f"{r50 / b50:.1f}x",
                    "",
                    "target >= 10x at 10,000",
                )
            )


def bench_review(quick: bool) -> None:
    coach = Coach(load_all(ROOT / "knowledge"))
    drafts = [
        "Norges beste kaffe!!! Kom innom i dag.",
        "Vi åpner i morgen – hva vil du smake først? https://example.com/meny #kaffe",
        "Fikk tilsendt serum fra Glød 🫱🏻‍🫲🏿 bruk koden LINE20 for 20 % rabatt",
        ("Dette er en lang tekst om sosiale medier og Elegantè. " * 40)[:1500],
    ]
    # Each draft new (a number appended), so the tone model's cache does not hide its cost.
    it = iter(f"{d} {i}" for i, d in enumerate(drafts * 2000))
    values = timed(lambda: coach.reviewing.by_rules(next(it)), 100 if quick else 400)
    row("!review (X, new drafts up to 1,500 chars, rules + tone model)", values)


async def _strategy(store_path: Path, writers: int, per_writer: int) -> tuple[list[float], float]:
    from bot.core.router import Context
    from bot.store import open_store

    store = await open_store(store_path)
    coach = Coach(load_all(ROOT / "knowledge"), store=store)
    for u in range(writers):
        await coach.handle(f"!strategy start Firma {u}", Context(user_id=u, guild_id=1))
    latencies: list[float] = []

    async def member(u: int) -> None:
        for i in range(per_writer):
            start = time.perf_counter()
            await coach.handle(
                f"!strategy answer Svar {i} fra medlem {u} med 1500 følgere innen juni",
                Context(user_id=u, guild_id=1),
            )
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(member(u) for u in range(writers)))
    elapsed = time.perf_counter() - start
    await store.close()
    return latencies, writers * per_writer / elapsed


async def _raw_writes(store_path: Path, writers: int, per_writer: int) -> float:
    """The store alone: acknowledged writes per second with `writers` concurrent writers."""
    from bot.store import open_store

    store = await open_store(store_path)
    for u in range(writers):
        await store.start_strategy(1, u, "F", "", "nb")

    async def member(u: int) -> None:
        for i in range(per_writer):
            await store.save_answer(1, u, "goals", f"svar {i}")

    start = time.perf_counter()
    await asyncio.gather(*(member(u) for u in range(writers)))
    elapsed = time.perf_counter() - start
    await store.close()
    return writers * per_writer / elapsed


async def _raw_sqlite(path: Path, synchronous: str, writers: int, per_writer: int) -> float:
    """Raw sqlite3 in WAL, one transaction per write, from `writers` concurrent coroutines.

    The usual asyncio pattern without group commit: one connection on a thread of its own (the
    store's own thread runner, so the hop costs the same) and every write its own BEGIN, INSERT,
    COMMIT there.
    """
    from bot.store._sqlite import ThreadConnection

    def open_db() -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, user INTEGER, text TEXT, at TEXT)")
        return conn

    def write(conn: sqlite3.Connection, user: int, i: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (user, text, at) VALUES (?, ?, ?)", (user, f"svar {i}", "now"))
        conn.execute("COMMIT")

    db = await ThreadConnection.open("raw-sqlite", open_db)

    async def member(u: int) -> None:
        for i in range(per_writer):
            await db.run(lambda conn: write(conn, u, i))

    start = time.perf_counter()
    await asyncio.gather(*(member(u) for u in range(writers)))
    elapsed = time.perf_counter() - start
    await db.close()
    return writers * per_writer / elapsed


def bench_store(quick: bool) -> None:
    per = 5 if quick else 10
    writers = 200
    with tempfile.TemporaryDirectory() as tmp:
        latencies, rate = asyncio.run(_strategy(Path(tmp) / "a.db", writers, per))
        row(
            f"!strategy answer, {writers} members at once", latencies, note=f"{rate:,.0f} answers/s"
        )
        store_rate = asyncio.run(_raw_writes(Path(tmp) / "b.db", writers, per * 5))
        ROWS.append(
            (
                f"store writes/s, {writers} writers, WAL+FULL",
                f"{store_rate:,.0f}/s",
                "",
                "group commit, 5 statements a write, acked after COMMIT",
            )
        )
        for synchronous in ("NORMAL", "FULL"):
            path = Path(tmp) / f"raw-{synchronous.lower()}.db"
            raw = asyncio.run(_raw_sqlite(path, synchronous, writers, per * 5))
            ROWS.append(
                (
                    f"raw sqlite3 writes/s, {writers} writers, WAL+{synchronous}, 1 txn/write",
                    f"{raw:,.0f}/s",
                    "",
                    f"store/raw = {store_rate / raw:.2f}x (raw: 1 INSERT a write)",
                )
            )


def _subprocess_ms(code: str, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env, capture_output=True)
    return (time.perf_counter() - start) * 1000


def bench_startup(quick: bool) -> None:
    runs = 3 if quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, COACH_DB_PATH=str(Path(tmp) / "s.db"), PYTHONPATH=str(ROOT))
        env.pop("DISCORD_TOKEN", None)
        deps = [
            _subprocess_ms(
                "import numpy, bm25s, Stemmer, yaml, pydantic, pydantic_settings, regex, twitter_text, sqlite3",
                env,
            )
            for _ in range(runs)
        ]
        row("import of the console's dependencies", deps)
        console = [
            _subprocess_ms(
                "import sys, io; sys.stdin = io.StringIO('');"
                "from bot.__main__ import main; main(['chat'])",
                env,
            )
            for _ in range(runs)
        ]
        row("console ready (start to prompt, then exit)", console)
        discord_deps = [
            _subprocess_ms(
                "import discord, httpx, numpy, bm25s, Stemmer, yaml, pydantic, regex, twitter_text, sqlite3",
                env,
            )
            for _ in range(runs)
        ]
        row("import of the Discord mode's dependencies", discord_deps)
        ready = [
            _subprocess_ms(
                "import asyncio\n"
                "from bot.config import load_settings\n"
                "from bot.discord_app import create_bot\n"
                "async def go():\n"
                "    bot = create_bot(load_settings()); await bot._async_setup_hook(); await bot.setup_hook()\n"
                "    await bot.services.close()\n"
                "asyncio.run(go())\n",
                env,
            )
            for _ in range(runs)
        ]
        row("Discord adapter ready to connect", ready)
        rss = subprocess.run(
            [
                sys.executable,
                "-c",
                "import asyncio\n"
                "from bot.config import load_settings\n"
                "from bot.discord_app import create_bot\n"
                "async def go():\n"
                "    bot = create_bot(load_settings()); await bot._async_setup_hook(); await bot.setup_hook()\n"
                "    bot.services.coach.asking.answer_offline('Hva er åpenhet?')\n"
                "    await bot.services.close()\n"
                "asyncio.run(go())\n"
                # VmHWM, not ru_maxrss: that keeps the forking parent's peak across exec.
                "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        ROWS.append(
            (
                "peak RSS, Discord mode with the course",
                f"{int(rss) / 1024:.0f} MB",
                "",
                "target < 150 MB",
            )
        )


def bench_large_startup(quick: bool) -> None:
    """Start-up with 100,000 passages in knowledge files: a cold build, then from the cache."""
    size = 10_000 if quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "knowledge"
        import shutil

        shutil.copytree(ROOT / "knowledge", folder)
        base = load_all(ROOT / "knowledge").base
        synthetic_base = synthetic(size, base)
        for post in synthetic_base.posts:
            body = "\n\n".join(p.text for p in post.passages)
            (folder / "posts" / f"{post.slug}.md").write_text(
                f"---\ntitle: {post.title}\nslug: {post.slug}\ntopics: [syntetisk]\n---\n{body}\n",
                encoding="utf-8",
            )
        code = (
            "from pathlib import Path\nfrom bot.core.knowledge.bundle import load_all\n"
            f"load_all(Path({str(folder)!r}), Path({str(Path(tmp) / 'cache')!r}))\n"
        )
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        cold = _subprocess_ms(code, env)
        warm = [_subprocess_ms(code, env) for _ in range(3)]
        ROWS.append(
            (f"start-up, {size:,} passages, first (builds the cache)", f"{cold:,.0f} ms", "", "")
        )
        row(
            f"start-up, {size:,} passages, from the disk cache",
            warm,
            note="target < 2 s at 100,000",
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer runs and no 100,000 corpus")
    args = parser.parse_args()
    print(
        f"SoMe-coach benchmarks, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or platform.platform()}"
    )
    bench_ask(args.quick)
    bench_review(args.quick)
    bench_store(args.quick)
    bench_startup(args.quick)
    bench_large_startup(args.quick)
    width = max(len(r[0]) for r in ROWS)
    print(f"\n{'what':{width}}  {'median':>14}  {'p99':>14}  note")
    for what, p50, p99, note in ROWS:
        print(f"{what:{width}}  {p50:>14}  {p99:>14}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
