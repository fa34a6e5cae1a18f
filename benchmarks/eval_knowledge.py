"""How well questions find a teacher's added documents: right file, right page or slide, declines.

    python benchmarks/eval_knowledge.py tests/data/knowledge_docs_tune.yaml [--show]

Builds each document of the set as the file it names (PDF, PPTX, DOCX, HTML, by tests/docfiles),
adds them all through the library into a fresh folder, makes their vectors, and asks every
question offline. Prints, by group (nb/en question on nb/en documents, and unanswerable):
answered from the right file, at the right page or slide (PDF and PPTX), and declined.
`--show` prints each question's outcome and its nearest passage's similarity (tune sets only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import open_services  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.core.knowledge.library import Library  # noqa: E402
from tests.docfiles import make_file  # noqa: E402


def build(data: dict, folder: Path) -> dict[str, Path]:
    files = {}
    folder.mkdir(parents=True, exist_ok=True)
    for doc in data["documents"]:
        pages = [
            (p["title"], p["text"], p["notes"]) if p.get("notes") else (p["title"], p["text"])
            for p in doc["pages"]
        ]
        title = Path(doc["file"]).stem
        files[doc["file"]] = make_file(folder / doc["file"], pages, title=title)
    return files


async def run(path: Path, show: bool) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    langs = {d["file"]: d["lang"] for d in data["documents"]}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["COACH_DB_PATH"] = str(work / "data" / "coach.db")
        os.environ.pop("COACH_EXTRA_KNOWLEDGE_DIR", None)
        settings = load_settings()
        files = build(data, work / "files")
        library = Library(settings.extra_knowledge_path, settings.knowledge_dir, 50_000_000)
        started = time.perf_counter()
        library.add([(name, p.read_bytes()) for name, p in files.items()])
        added = time.perf_counter() - started
        async with open_services(settings, database=False) as services:
            started = time.perf_counter()
            await services.vectors_ready()
            embedded = time.perf_counter() - started
            coach = services.coach
            dense = coach.asking.engine.dense
            print(
                f"added {len(files)} files in {added:.2f} s; {dense.size} passages embedded "
                f"in {embedded:.1f} s"
            )
            totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
            for item in data["questions"]:
                want = item["file"]
                group = f"{item['lang']}->{langs[want]}" if want else "unanswerable"
                started = time.perf_counter()
                result = coach.asking.answer_offline(item["q"])
                near = dense.search(item["q"], k=1)
                row = totals[group]
                row[0] += 1
                first = result.sources[0] if result.sources else None
                right_file = bool(result.answered and first and first.source == want)
                paged = want is not None and Path(want).suffix in (".pdf", ".pptx")
                word = "side" if want and want.endswith(".pdf") else "slide"
                right_place = bool(
                    right_file
                    and paged
                    and first
                    and first.location == f"{word} {item['location']}"
                )
                if want is None:
                    row[3] += not result.answered
                else:
                    row[1] += right_file
                    row[2] += right_place
                    row[4] += paged
                if show:
                    sim = f"{near[0][1]:.3f} {near[0][0].location}" if near else "-"
                    got = f"{first.source}:{first.location}" if first else "-"
                    mark = "ok " if (right_file if want else not result.answered) else "MISS"
                    print(
                        f"{mark} [{group}] {item['q'][:70]!r} -> {got} (want {want}:"
                        f"{item['location']}) near {sim} {time.perf_counter() - started:.2f}s"
                    )
    print(f"{'group':14} {'n':>3} {'right file':>11} {'right page':>11} {'declined':>9}")
    for group, (n, ok, place, declined, paged) in sorted(totals.items()):
        if group == "unanswerable":
            print(f"{group:14} {n:3d} {'':>11} {'':>11} {declined:>5}/{n}")
        else:
            print(f"{group:14} {n:3d} {ok:>7}/{n:<3} {place:>7}/{paged:<3}")
    answerable = [v for g, v in totals.items() if g != "unanswerable"]
    n = sum(v[0] for v in answerable)
    print(
        f"all answerable: right file {sum(v[1] for v in answerable)}/{n}, right page "
        f"{sum(v[2] for v in answerable)}/{sum(v[4] for v in answerable)}"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("set", type=Path)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    return asyncio.run(run(args.set, args.show))


if __name__ == "__main__":
    sys.exit(main())
