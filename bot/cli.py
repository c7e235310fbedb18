"""`incident-bot` (also `python -m bot`): serve | worker | demo | db upgrade | db backup | config check |
pir export | regulatory draft|export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace

from dotenv import load_dotenv

from bot.config import ConfigError, Settings, problems
from bot.ops import logs
from bot.ops.dburl import probe
from bot.ops.startup import check_slack
from bot.ops.telemetry import start_metrics
from bot.policy import PolicyError
from bot.runtime import Runtime, run_worker, serve


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="incident-bot", description="A Slack-first incident manager for payment teams.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the bot (HTTP; Socket Mode when SLACK_APP_TOKEN is set)",
                           description="Run the bot: POST /slack/events and GET /healthz on PORT, Socket Mode when "
                                       "SLACK_APP_TOKEN is set, and the job worker in the same process.")
    serve.add_argument("--no-worker", action="store_true", help="do not run the job worker in this process")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT, else 3000)")
    sub.add_parser("worker", help="run the job worker alone",
                   description="Run only the durable job worker (for deployments that scale acks and jobs apart).")
    sub.add_parser("demo", help="play an incident against a local Slack emulator",
                   description="Start the bot against the built-in Slack emulator with a fake clock and play a "
                               "whole payment incident, printing what people would see. Needs no token or network.")
    pir = sub.add_parser("pir", help="post-incident review commands", description="Post-incident review commands.")
    pir_sub = pir.add_subparsers(dest="pir_command", required=True, metavar="ACTION")
    export = pir_sub.add_parser("export", help="print an incident's review document (Markdown)",
                                description="Print the review document of an incident, the same Markdown that "
                                            "`/incident pir export` uploads. People are named through Slack's "
                                            "users.info when SLACK_BOT_TOKEN is set, else by their Slack id.")
    export.add_argument("incident", help="the incident: INC-7, inc-7 or 7")
    export.add_argument("-o", "--output", help="write to this file instead of standard output")
    reg = sub.add_parser("regulatory", help="regulatory report drafts and the audit export",
                         description="Regulatory reporting from the incident record. Nothing is ever sent to a "
                                     "regulator: these print what people complete and submit themselves.")
    reg_sub = reg.add_subparsers(dest="regulatory_command", required=True, metavar="ACTION")
    draft = reg_sub.add_parser("draft", help="print a report's draft (Markdown, or the template's JSON)",
                               description="Print the draft of one report of a regime the incident was classified "
                                           "under as major (the same draft the channel gets).")
    draft.add_argument("incident", help="the incident: INC-7, inc-7 or 7")
    draft.add_argument("--regime", help="the regime's key (default: the first with a report)")
    draft.add_argument("--report", help="the report's key, e.g. initial (default: the one whose clock runs)")
    draft.add_argument("--json", action="store_true", help="print the JSON that follows the regime's template")
    draft.add_argument("-o", "--output", help="write to this file instead of standard output")
    audit = reg_sub.add_parser("export", help="write the incident's regulatory record for an auditor",
                               description="Write the timeline, the classification history, the impact history "
                                           "and the report submissions as one Markdown file.")
    audit.add_argument("incident", help="the incident: INC-7, inc-7 or 7")
    audit.add_argument("-o", "--output", help="write to this file instead of standard output")
    db = sub.add_parser("db", help="database commands", description="Database commands.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="migrate the database to the latest schema",
                      description="Apply every pending migration to DATABASE_URL.")
    backup = db_sub.add_parser("backup", help="copy the SQLite database to a file, while the bot runs",
                               description="Copy the SQLite database of DATABASE_URL to PATH with SQLite's online "
                                           "backup API: safe while the bot runs, the copy is consistent. For "
                                           "PostgreSQL use pg_dump (see the README).")
    backup.add_argument("path", metavar="PATH", help="the file to write (it must not exist)")
    config = sub.add_parser("config", help="configuration commands", description="Configuration commands.")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    check = config_sub.add_parser("check", help="validate the environment and the policy without starting",
                                  description="Validate the environment (.env too) and the policy file, one line "
                                              "per problem naming the key; then, unless --offline, connect to the "
                                              "database and Slack: the schema, the token, each configured "
                                              "channel. Exit status 1 when anything is wrong.")
    check.add_argument("--offline", action="store_true", help="do not connect to the database or to Slack")
    return p


def _settings() -> Settings:
    load_dotenv(override=False)
    return Settings.from_env()


async def _prepare_database(settings: Settings) -> None:
    from models.db import is_sqlite
    from models.migrate import current_revision, head_revision, is_up_to_date, upgrade

    if problem := await probe(settings.database_url):  # one line that says what to fix, not a traceback
        raise ConfigError(problem)
    if is_sqlite(settings.database_url):
        await upgrade(settings.database_url)  # the embedded default keeps itself current
    elif not await is_up_to_date(settings.database_url):
        found = await current_revision(settings.database_url)
        raise ConfigError(f"The database is at schema revision {found or 'none'}, this version needs "
                          f"{head_revision()}: run `incident-bot db upgrade` first.")


async def _run(settings: Settings, main: Callable[[Runtime, asyncio.Event], Awaitable[None]]) -> None:
    """Check the token and the schema, assemble the bot, run `main` until SIGINT or SIGTERM."""
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN must be set (see .env.example)")
    await _prepare_database(settings)
    rt = Runtime.create(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    metrics = None
    try:
        await check_slack(rt.client, settings, rt.readiness)
        if settings.metrics_port:
            metrics = await start_metrics(rt.sessionmaker, rt.clock, settings.metrics_port)
        await main(rt, stop)
    finally:
        if metrics is not None:
            await metrics.cleanup()
        await rt.close()


async def _serve(settings: Settings, args: argparse.Namespace) -> None:
    if args.port:
        settings = replace(settings, port=args.port)
    if settings.slack_bot_token and not settings.slack_app_token and not settings.slack_signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET must be set for HTTP mode (or SLACK_APP_TOKEN for Socket Mode)")
    await _run(settings, lambda rt, stop: serve(rt, host=args.host, with_worker=not args.no_worker, stop=stop))


async def _worker(settings: Settings) -> None:
    await _run(settings, run_worker)


async def _db_upgrade(settings: Settings) -> None:
    from models.migrate import current_revision, upgrade

    if problem := await probe(settings.database_url):
        raise ConfigError(problem)
    await upgrade(settings.database_url)
    print(f"database at revision {await current_revision(settings.database_url)}")


async def _config_check(env_problems: list[str], offline: bool) -> int:
    """Print each problem on a line of its own; 0 when there are none."""
    found = list(env_problems)
    if not found and not offline:
        found += await _online_problems(_settings())
    for line in found:
        print(line)
    if not found:
        print("configuration ok" + (" (offline: the database and Slack were not contacted)" if offline else ""))
    return 1 if found else 0


async def _online_problems(settings: Settings) -> list[str]:
    from slack_sdk.errors import SlackApiError

    from bot.app import make_client
    from bot.ops.startup import Readiness, check_channels, check_token
    from models.migrate import current_revision, head_revision

    found = []
    if problem := await probe(settings.database_url):
        found.append(problem)
    elif (at := await current_revision(settings.database_url)) != head_revision():
        found.append(f"DATABASE_URL: the schema is at revision {at or 'none'}, this version needs "
                     f"{head_revision()}: run `incident-bot db upgrade`")
    client = make_client(settings)
    try:
        await check_token(client, Readiness(), retry_delays=())
        found += await check_channels(client, settings, settings.policy, join=False)
    except ConfigError as exc:
        found.append(str(exc))
    except (SlackApiError, OSError) as exc:
        found.append(f"SLACK_API_URL: Slack could not be reached: {type(exc).__name__}")
    return found


def _incident_number(raw: str) -> int:
    value = raw.strip().upper().removeprefix("INC-").removeprefix("INC")
    if not value.isdigit():
        raise ConfigError(f"{raw!r} is not an incident: write INC-7, inc-7 or 7")
    return int(value)


async def _pir_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import make_client
    from bot.core.errors import NotFound
    from bot.incidents.service import get_by_number
    from bot.pir.document import document, slack_names
    from models.db import make_engine, make_sessionmaker

    number = _incident_number(args.incident)
    client = make_client(settings) if settings.slack_bot_token else None

    async def names(users: set[str]) -> dict[str, str]:
        return await slack_names(client, users) if client else {}

    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            try:
                inc = await get_by_number(session, number)
            except NotFound as exc:
                print(f"incident-bot: {exc.message}", file=sys.stderr)
                return 1
            assert inc.id is not None
            body = await document(session, settings.policy, inc.id, names)
    finally:
        await engine.dispose()
    return _emit(body, args.output)


def _emit(body: str, output: str | None) -> int:
    """A document to the file named by -o, else to standard output."""
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(body)
    else:
        sys.stdout.write(body)
    return 0


async def _regulatory(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.errors import NotFound
    from bot.incidents.service import get_by_number
    from bot.regulatory import drafts
    from bot.regulatory.service import find_report
    from models.db import make_engine, make_sessionmaker

    number = _incident_number(args.incident)
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            try:
                inc = await get_by_number(session, number)
                assert inc.id is not None
                if args.regulatory_command == "export":
                    body = await drafts.export(session, settings.policy, inc.id)
                else:
                    regimes = [args.regime] if args.regime else [r.key for r in settings.policy.regulatory.regimes]
                    row = None
                    for key in regimes:
                        try:
                            row = await find_report(session, incident_id=inc.id, regime=key, report=args.report)
                            break
                        except NotFound:
                            continue
                    if row is None:
                        raise NotFound(f"{inc.key} has no such report: classify it as major under a regime first.")
                    markdown, data, _ = await drafts.draft(session, settings.policy, inc.id, row.regime, row.report)
                    body = data if args.json else markdown
            except NotFound as exc:
                print(f"incident-bot: {exc.message}", file=sys.stderr)
                return 1
    finally:
        await engine.dispose()
    return _emit(body, args.output)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from bot.demo import main as demo_main

            return asyncio.run(demo_main())
        if args.command == "config":
            load_dotenv(override=False)
            logging.basicConfig(level=logging.WARNING)
            return asyncio.run(_config_check(problems(), args.offline))
        settings = _settings()
        logs.configure(settings.log_level, settings.log_format)
        logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
        if args.command == "serve":
            asyncio.run(_serve(settings, args))
        elif args.command == "worker":
            asyncio.run(_worker(settings))
        elif args.command == "db" and args.db_command == "backup":
            from bot.ops.backup import backup

            print(backup(settings.database_url, args.path))
        elif args.command == "db":
            asyncio.run(_db_upgrade(settings))
        elif args.command == "pir":
            return asyncio.run(_pir_export(settings, args))
        elif args.command == "regulatory":
            return asyncio.run(_regulatory(settings, args))
    except (ConfigError, PolicyError) as exc:
        print(f"incident-bot: {exc}", file=sys.stderr)
        return 2
    return 0
