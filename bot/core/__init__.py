"""The platform-free core: knowledge, search, ask, review, strategy, texts and ports.

Only the standard library, pydantic and pure-computation libraries are imported here; a test
fails when this package imports discord, httpx or sqlite3.
"""
