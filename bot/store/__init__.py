"""The SQLite store over plain sqlite3: strategies, answers, usage, with schema migrations.

`_sqlite` runs each connection on a thread of its own and names SQLite's errors, `_writer`
commits queued writes in groups, `_schema` holds the migrations, `_store` the queries.
"""

from bot.store._schema import MIGRATIONS, SCHEMA_VERSION, migrate
from bot.store._sqlite import BUSY_TIMEOUT_MS, service_error
from bot.store._store import SQLiteStore, open_store

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SQLiteStore",
    "migrate",
    "open_store",
    "service_error",
]
