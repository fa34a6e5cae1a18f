"""The added documents' sentence vectors, kept in a small SQLite file beside the knowledge cache.

Plain `sqlite3` in short transactions: the file is a cache (a lost or broken one is rebuilt by
embedding again), so every failure is logged and the coach goes on from memory.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.core.embedding import DIM

log = logging.getLogger(__name__)

VECTOR_FILE = "vectors.sqlite3"


class SQLiteVectors:
    """Vectors by text hash in one SQLite file; every failure is logged, never raised."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory: dict[str, np.ndarray] = {}

    def _connect(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5)
            db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
            return db
        except sqlite3.Error as exc:
            log.warning("the vector cache %s is unavailable: %s", self.path, exc)
            return None

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found = {k: self._memory[k] for k in keys if k in self._memory}
        missing = [k for k in keys if k not in found]
        db = self._connect() if missing else None
        if db is None:
            return found
        try:
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk)
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (DIM,):
                        found[key] = self._memory[key] = vector
        except sqlite3.Error as exc:
            log.warning("could not read the vector cache %s: %s", self.path, exc)
        finally:
            db.close()
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self._memory.update(items)
        db = self._connect()
        if db is None:
            return
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                    [(k, v.astype(np.float32).tobytes()) for k, v in items.items()],
                )
        except sqlite3.Error as exc:
            log.warning("could not write the vector cache %s: %s", self.path, exc)
        finally:
            db.close()


__all__ = ["VECTOR_FILE", "SQLiteVectors"]
