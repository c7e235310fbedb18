"""Alembic's environment: configures the migration context for models.migrate.

Online, the connection comes from `config.attributes["connection"]` (models.migrate.upgrade passes one, inside
its transaction and lock). Without one, Alembic is being driven by hand (`alembic.command.*` with
models.migrate.make_config(url)), no event loop is running, and this file connects to `sqlalchemy.url` itself.
Offline (`sql=True`) it renders SQL for `sqlalchemy.url`'s dialect without connecting.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import models  # noqa: F401  (defines the tables on SQLModel.metadata, which autogenerate compares)
from models.db import is_sqlite, make_engine
from models.migrate import run_exclusive

config = context.config
target_metadata = SQLModel.metadata


def _render_item(type_: str, obj: Any, _autogen: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes SQLModel's column types as the SQLAlchemy types they wrap.

    A migration is frozen DDL: it must not change meaning (or stop importing) when SQLModel changes what a
    `str` or `datetime` field maps to (as it did when `datetime` became UTCDateTime).
    """
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator) and type(obj).__module__.startswith("sqlmodel"):
        impl = obj.impl_instance
        if isinstance(impl, sa.DateTime):
            return f"sa.DateTime(timezone={impl.timezone})"
        if isinstance(impl, sa.String):
            return f"sa.String(length={impl.length})" if impl.length else "sa.String()"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite can barely ALTER a table; batch mode rewrites such changes as copy-and-rename.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _connect_and_run(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(run_exclusive, _run)
    finally:
        await engine.dispose()


def _run_offline(url: str) -> None:
    context.configure(
        url=url,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite(url),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection given and no sqlalchemy.url set: use models.migrate.make_config(url)")
    return url


if context.is_offline_mode():
    _run_offline(_url())
elif (connection := config.attributes.get("connection")) is not None:
    _run(connection)
else:
    asyncio.run(_connect_and_run(_url()))
