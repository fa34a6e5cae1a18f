"""How long a teacher waits: adding a 100-page PDF, and starting the coach afterwards.

    python benchmarks/knowledge_add.py [--pages 100]

Builds a PDF of N pages (a heading and about 150 words each) in a temporary folder and runs, as a
teacher would, `python -m bot knowledge add` (wall time: conversion, storing, the reload check
and the vector budget), then `python -m bot ask` twice: the first start makes the vectors the
add left (once), the second starts from the caches, as every later start does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.docfiles import make_pdf  # noqa: E402

TEXT = (
    "Uke {n} handler om innholdsplanlegging for små bedrifter. En god innholdskalender viser hva "
    "som publiseres, hvor og når, og hvem som har ansvaret for hvert innlegg. Bedriften bør "
    "blande nyttige tips, historier fra hverdagen og tilbud, slik at følgerne får noe av verdi "
    "hver gang. Mål resultatene hver måned: rekkevidde, engasjement og klikk til nettsiden. "
    "Justér planen når tallene viser hva kundene faktisk liker. Svar på kommentarer samme dag, "
    "og vær åpen om feil. Oppgave {n}: lag en plan for de neste fire ukene for en kafé, med "
    "minst tre innlegg i uka og én video, og skriv hvorfor du valgte akkurat disse temaene. "
    "Kodeord for denne siden er kalender{n}."
)


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100)
    pages = parser.parse_args().pages
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pdf = make_pdf(
            folder / "Forelesning 9.pdf",
            [(f"Uke {n}: innholdsplan", TEXT.format(n=n)) for n in range(1, pages + 1)],
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
        env["COACH_DB_PATH"] = str(folder / "data" / "coach.db")
        env["PYTHONPATH"] = str(ROOT)
        python = [sys.executable, "-m", "bot"]
        add = timed([*python, "knowledge", "add", str(pdf)], env)
        question = ["ask", "--json", "Hva er kodeordet for oppgave 42?"]
        first = timed([*python, *question], env)
        again = timed([*python, *question], env)
        size = pdf.stat().st_size // 1024
        print(f"knowledge add: {pages}-page PDF ({size} KB): {add:.1f} s")
        print(f"first ask after the add (makes the remaining vectors once): {first:.1f} s")
        print(f"ask from the caches (every later start): {again:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
