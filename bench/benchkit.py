"""Small helpers shared by the benchmarks: the loopback PostgreSQL they may drop databases on,
and how latencies are summarised."""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SetupError(Exception):
    """The benchmark could not build what it measures; nothing was measured."""


def loopback_url(url: str) -> str:
    if urlsplit(url).hostname not in LOOPBACK:
        raise SetupError(f"only loopback PostgreSQL is allowed, not {url}")
    return url.rstrip("/")


def recreate_database(pg: str, name: str) -> None:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile; None when nothing was measured."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency_summary(values: list[float], ps: tuple[int, ...] = (50, 95, 99)) -> dict:
    found = {f"p{p}": percentile(values, p) for p in ps}
    found["max"] = max(values, default=None)
    return {name: None if value is None else round(value, 1) for name, value in found.items()}


def finish(
    result: dict,
    problems: list[str],
    as_json: bool,
    print_report: Callable[[dict, list[str]], None],
) -> int:
    """Print the result (JSON or the human report) and return the exit status: 1 when any
    target or check failed."""
    if as_json:
        print(json.dumps(result | {"problems": problems}, indent=2))
    else:
        print_report(result, problems)
    return 1 if problems else 0


def production_env(database_url: str, static_root: Path, port: int) -> dict[str, str]:
    """The production profile's environment for a server on loopback: DEBUG off, a fresh secret,
    plain HTTP (no proxy in front), and a static root of the bench's own, so the manifest storage
    never writes into the shared var/static."""
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "patientvoice.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "TASK_BACKEND": "database",
        "STATIC_ROOT": str(static_root),
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
