"""DATABASE_URL mistakes explained in one line instead of a driver's traceback: the URL's shape (before
connecting) and what a failed connection means (unknown host, nothing listening, missing database)."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

from sqlalchemy import text

ASYNCPG = "postgresql+asyncpg://"
AIOSQLITE = "sqlite+aiosqlite://"


def shape_problem(url: str) -> str | None:
    """What is wrong with the URL itself, or None. The bot needs async drivers: asyncpg and aiosqlite."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return (f"DATABASE_URL={_safe(url)!r} is not a URL: write {AIOSQLITE}/./incidents.db or "
                f"{ASYNCPG}user:password@host:5432/incidents")
    if scheme in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        return (f"DATABASE_URL starts with {scheme}://, which needs a driver the bot does not use: write "
                f"{ASYNCPG}{_safe(rest)} instead")
    if scheme == "sqlite":
        return f"DATABASE_URL starts with sqlite://: write {AIOSQLITE}{_safe(rest)} instead"
    if scheme not in ("postgresql+asyncpg", "sqlite+aiosqlite"):
        return (f"DATABASE_URL scheme {scheme}:// is not supported: use {AIOSQLITE}/path/to/incidents.db "
                f"or {ASYNCPG}host/database")
    return None


def explain(exc: BaseException, url: str) -> str:
    """A failed connection, in words an operator can act on; never the password."""
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or 5432
    database = parts.path.lstrip("/")
    chain = _chain(exc)
    names = {type(e).__name__ for e in chain}
    words = " ".join(str(e) for e in chain).lower()
    if url.startswith("sqlite"):
        database = url.partition(":///")[2] or database
        if "unable to open database file" in words:
            return (f"DATABASE_URL: cannot open the SQLite file {database!r}: does its folder exist and may "
                    "this user write there?")
        return f"DATABASE_URL: the SQLite database cannot be used: {_last_line(chain)}"
    if "InvalidCatalogNameError" in names or ("database" in words and "does not exist" in words):
        return (f"DATABASE_URL: the database {database!r} does not exist on {host}:{port}: create it "
                f"(createdb -h {host} -p {port} {database}) then run `incident-bot db upgrade`")
    if "InvalidPasswordError" in names or "password authentication failed" in words:
        return f"DATABASE_URL: {host}:{port} refused the user {parts.username!r}: check the user and password"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return f"DATABASE_URL: the host {host!r} is unknown (DNS lookup failed): check the host name"
    if any(isinstance(e, (ConnectionRefusedError, TimeoutError, OSError)) for e in chain):
        return (f"DATABASE_URL: nothing answers at {host}:{port}: is PostgreSQL running there, and does "
                "the firewall let this host in?")
    return f"DATABASE_URL: cannot connect to {host}:{port}: {_last_line(chain)}"


async def probe(url: str) -> str | None:
    """Connect and SELECT 1: None when that works, else the explanation."""
    from models.db import make_engine

    problem = shape_problem(url)
    if problem:
        return problem
    if url.startswith("sqlite"):
        path = url.partition(":///")[2].partition("?")[0]
        if path and path != ":memory:" and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            # refused before connecting: a failed aiosqlite connect can outlive the event loop at exit
            return (f"DATABASE_URL: cannot open the SQLite file {path!r}: does its folder exist and may "
                    "this user write there?")
    engine = make_engine(url, **({} if url.startswith("sqlite") else {"connect_args": {"timeout": 5}}))
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return explain(exc, url)
    finally:
        await engine.dispose()
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in seen:
        seen.append(e)
        e = getattr(e, "orig", None) or e.__cause__ or e.__context__
    return seen


def _last_line(chain: list[BaseException]) -> str:
    e = chain[-1]
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:200]


def _safe(text_: str) -> str:
    """The URL without its password."""
    if "@" in text_ and ":" in text_.split("@", 1)[0]:
        creds, rest = text_.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{user}:***@{rest}"
    return text_
