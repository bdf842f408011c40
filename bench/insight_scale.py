"""The insight page and the comment explorer at a million feedback rows, and a million-row import.

    .venv/bin/python bench/insight_scale.py                           # 1,000,000 rows, both
    .venv/bin/python bench/insight_scale.py --rows 50000 --backend sqlite --requests 5
    .venv/bin/python bench/insight_scale.py --skip-load --backend postgres   # time again only
    .venv/bin/python bench/insight_scale.py --json

For each backend it builds a fresh database (PostgreSQL: `patientvoice_scale` on loopback;
SQLite: var/bench/insight_scale.sqlite3), migrates it, loads the demo world and then ROWS
synthetic feedback records with `generate_feedback`. Comments come from the shipped labelled FFT
data set, so each one is stored with that data set's own themes and sentiment (as the model
version "fft-training-labels") in the same bulk inserts, instead of queueing a classification
per comment. The insight summary is then rebuilt from the rows (`rebuild_insight_summary`,
timed) and the database vacuumed and analysed, as autovacuum would soon do, and left in place so
that --skip-load can time it again (which migrates and rebuilds the summary, timed, first).

The pages are timed in-process with Django's test client, signed in as the demo analyst, for the
organisation the analyst can see with the most feedback: the insight page (last 12 months), and
the comment explorer unfiltered, filtered by a theme and searched for a word. Each is requested
once to warm up, then --requests times; the figures are server time per request (view,
queries and template, no network) as p50, p95 and max.

On PostgreSQL it also writes an FFT export of --import-rows rows (default 1,000,000) and imports
it into a fresh database (`patientvoice_scale_import`) through `imports.run_import`, the service
the background task runs, reporting seconds and the importing process's peak resident memory.

Each backend runs in its own child process (settings are per process); the targets are p95
under 500 ms on PostgreSQL and under 1.5 s on SQLite, and the import under 2 minutes.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from benchkit import SetupError, finish, latency_summary, loopback_url, recreate_database

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SQLITE_FILE = REPO / "var" / "bench" / "insight_scale.sqlite3"
PAGES_DATABASE = "patientvoice_scale"
IMPORT_DATABASE = "patientvoice_scale_import"
LABELS_VERSION = "fft-training-labels"
ANALYST = "demo-analyst"
SEARCH_WORD = "parking"
TARGET_MS = {"postgres": 500.0, "sqlite": 1500.0}
IMPORT_TARGET_S = 120.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- In the child: one backend ------------------------------------------------------------------


def setup_django() -> None:
    import django

    django.setup()
    from django.conf import settings

    # No collectstatic here: the pages only need static URLs, not the manifest.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }


class Labeller:
    """Stores the labelled data set's themes and sentiment for each generated comment."""

    def __init__(self) -> None:
        from django.utils import timezone

        from patientvoice.insight.engine.data import (
            LABELLING_NOT_POSSIBLE,
            load_training_set,
            theme_categories,
        )
        from patientvoice.insight.models import ModelVersion, Theme

        training = load_training_set()
        skip = {"Not assigned", LABELLING_NOT_POSSIBLE}
        self.by_text: dict[str, tuple[list[str], int | None]] = {}
        for example in training.examples:
            labels = [label for label in example.labels if label not in skip]
            self.by_text.setdefault(example.text.strip(), (labels, example.sentiment))
        names = {label for labels, _ in self.by_text.values() for label in labels}
        categories = theme_categories(names)
        Theme.objects.bulk_create(
            [Theme(name=n, category=categories[n]) for n in sorted(names)], ignore_conflicts=True
        )
        self.themes = {t.name: t.pk for t in Theme.objects.filter(name__in=names)}
        self.version, _ = ModelVersion.objects.get_or_create(
            version=LABELS_VERSION,
            defaults={
                "training_data_sha256": training.sha256,
                "trained_at": timezone.now(),
                "labels": sorted(names),
                "metadata": {"note": "the data set's own labels, stored by a benchmark"},
            },
        )

    def __call__(self, comments: list[Any]) -> None:
        from patientvoice.insight.models import (
            Classification,
            SentimentAssignment,
            Source,
            ThemeAssignment,
        )

        themes, sentiments, read = [], [], []
        version = self.version.pk
        for comment in comments:
            labels, sentiment = self.by_text.get(comment.text.strip(), ([], None))
            themes += [
                ThemeAssignment(
                    comment_id=comment.pk,
                    theme_id=self.themes[label],
                    source=Source.MODEL,
                    model_version_id=version,
                    confidence=1.0,
                )
                for label in labels
            ]
            if sentiment is not None:
                sentiments.append(
                    SentimentAssignment(
                        comment_id=comment.pk,
                        value=sentiment,
                        source=Source.MODEL,
                        model_version_id=version,
                        confidence=1.0,
                    )
                )
            read.append(Classification(comment_id=comment.pk, model_version_id=version))
        ThemeAssignment.objects.bulk_create(themes)
        SentimentAssignment.objects.bulk_create(sentiments)
        Classification.objects.bulk_create(read)


def analyse() -> None:
    """Statistics for the planner, and on PostgreSQL the visibility map that index-only scans
    need: what autovacuum does soon after a bulk load, done now so the timings do not depend
    on when it runs."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def load(rows: int) -> dict[str, Any]:
    from django.core.management import call_command

    from patientvoice.feedback.generate import generate_feedback

    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0, stdout=io.StringIO())
    call_command("demo", allow_production=True, verbosity=0, stdout=io.StringIO())
    prepared = time.perf_counter()
    log(f"migrated and loaded the demo world in {prepared - started:.1f} s; generating {rows:,}")
    added = generate_feedback(rows, classify=False, on_comments=Labeller())
    generated = time.perf_counter()
    log(f"generated {added:,} rows in {generated - prepared:.1f} s")
    summary = build_summary()
    summarised = time.perf_counter()
    analyse()
    done = time.perf_counter()
    log(f"analysed in {done - summarised:.1f} s")
    return {
        "rows_loaded": added,
        "setup_s": round(prepared - started, 1),
        "load_s": round(generated - prepared, 1),
        "analyse_s": round(done - summarised, 1),
        "summary": summary,
    }


def build_summary() -> dict[str, Any]:
    """Rebuild the insight summaries from the loaded rows, as `patientvoice
    rebuild_insight_summary` does. The generator keeps the response summary up to date as it
    writes, but the Labeller stores themes directly, as no product path does, so the theme
    summary is only right after a rebuild."""
    from patientvoice.insight.summary import rebuild_insight_summary

    started = time.perf_counter()
    rows = rebuild_insight_summary()
    seconds = round(time.perf_counter() - started, 1)
    log(f"rebuilt the insight summary in {seconds} s: {rows}")
    return {"seconds": seconds, "response_rows": rows["responses"], "theme_rows": rows["themes"]}


def counts() -> dict[str, int]:
    from patientvoice.feedback.models import Comment, Experience
    from patientvoice.insight.models import SentimentAssignment, ThemeAssignment

    return {
        "experiences": Experience.objects.count(),
        "comments": Comment.objects.count(),
        "theme_assignments": ThemeAssignment.objects.count(),
        "sentiment_assignments": SentimentAssignment.objects.count(),
    }


def pages_to_time() -> tuple[dict[str, str], dict[str, Any]]:
    from django.db.models import Count
    from django.urls import reverse

    from patientvoice.feedback.models import Experience
    from patientvoice.insight.models import ThemeAssignment
    from patientvoice.people import rules
    from patientvoice.people.models import User

    analyst = User.objects.get(username=ANALYST)
    visible = rules.organisations_with(analyst, rules.VIEW_FEEDBACK)
    busiest = (
        Experience.objects.filter(organisation__in=visible)
        .values("organisation", "organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        raise SetupError("the analyst's organisations have no feedback")
    theme = (
        ThemeAssignment.objects.values("theme__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("theme__name", flat=True)
        .first()
    )
    scope = f"?organisation={busiest['organisation']}"
    insight, explorer = reverse("staff:insight"), reverse("staff:insight_comments")
    from urllib.parse import quote

    pages = {
        "insight": insight + scope,
        "comments": explorer + scope,
        "comments_theme": explorer + scope + f"&theme={quote(theme or '')}",
        "comments_search": explorer + scope + f"&q={SEARCH_WORD}",
    }
    about = {
        "organisation": busiest["organisation__name"],
        "organisation_experiences": busiest["n"],
        "theme": theme,
        "search": SEARCH_WORD,
    }
    return pages, about


def time_pages(requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from patientvoice.people.models import User

    executed: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append(sql)
        return execute(sql, params, many, context)

    pages, about = pages_to_time()
    client = Client()
    client.force_login(User.objects.get(username=ANALYST))
    results: dict[str, Any] = {}
    for name, path in pages.items():
        executed.clear()
        with connection.execute_wrapper(count):
            first = time.perf_counter()
            response = client.get(path)
            warm_up_ms = 1000 * (time.perf_counter() - first)
        queries = len(executed)
        if response.status_code != 200:
            raise SetupError(f"GET {path} answered {response.status_code}")
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            timings.append(1000 * (time.perf_counter() - started))
            assert response.status_code == 200
        results[name] = {
            "path": path,
            "queries": queries,
            "first_ms": round(warm_up_ms, 1),
            "ms": latency_summary(timings, (50, 95)),
        }
        log(f"{name}: {results[name]['ms']} ({queries} queries)")
    return {"pages": results, "scope": about}


def run_backend(config: dict[str, Any]) -> dict[str, Any]:
    setup_django()
    result: dict[str, Any] = {"backend": config["backend"]}
    if not config["skip_load"]:
        result["load"] = load(config["rows"])
    else:
        from django.core.management import call_command

        # New indexes and tables reach a loaded database this way; the data stays as it was,
        # and the insight summary is rebuilt from it (timed), as after an upgrade.
        call_command("migrate", "--noinput", verbosity=0, stdout=io.StringIO())
        result["summary"] = build_summary()
        analyse()
    result["counts"] = counts()
    result |= time_pages(config["requests"])
    return result


# --- In the child: the import ---------------------------------------------------------------------


IMPORT_COLUMNS = [
    "Response ID",
    "Date",
    "Ward",
    "FFT answer",
    "What was good",
    "What could be better",
]
IMPORT_MAPPING = {
    "respondent_id": "Response ID",
    "date": "Date",
    "service": "Ward",
    "rating": "FFT answer",
    "what_was_good": "What was good",
    "could_be_better": "What could be better",
}
RATING_WORDS = ["Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know"]


def write_fft_export(path: Path, rows: int, services: list[str], seed: int = 7) -> None:
    """An FFT export as trusts send them: one row per response, rating in words, two comments."""
    from patientvoice.feedback.demo import fft_comments

    rng = random.Random(seed)
    texts = [text for _rating, _question, text in fft_comments()]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(IMPORT_COLUMNS)
        for number in range(rows):
            rating = rng.choices(RATING_WORDS, weights=[60, 22, 6, 5, 5, 2])[0]
            good = rng.choice(texts) if rng.random() < 0.6 else ""
            better = rng.choice(texts) if rng.random() < 0.3 else ""
            day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2026"
            writer.writerow([f"R{number:08d}", day, rng.choice(services), rating, good, better])


def run_import_bench(config: dict[str, Any]) -> dict[str, Any]:
    setup_django()
    from django.core.files import File
    from django.core.management import call_command
    from django.test import override_settings

    from patientvoice.directory.models import Organisation, Service
    from patientvoice.feedback.imports import run_import
    from patientvoice.feedback.models import ImportBatch, ImportSource
    from patientvoice.people.models import User

    call_command("migrate", "--noinput", verbosity=0, stdout=io.StringIO())
    call_command("demo", allow_production=True, verbosity=0, stdout=io.StringIO())
    organisation = Organisation.objects.get(slug="northdale-hospitals")
    services = list(
        Service.objects.filter(organisation=organisation).values_list("name", flat=True)
    )
    with tempfile.TemporaryDirectory(prefix="patientvoice-import-") as scratch:
        export = Path(scratch) / "fft-export.csv"
        started = time.perf_counter()
        write_fft_export(export, config["import_rows"], services)
        log(
            f"wrote a {config['import_rows']:,}-row export ({export.stat().st_size / 1e6:.0f} MB) "
            f"in {time.perf_counter() - started:.0f} s; importing"
        )
        with override_settings(MEDIA_ROOT=str(Path(scratch) / "media")):
            source = ImportSource.objects.create(
                organisation=organisation, name="Ward FFT export", mapping=IMPORT_MAPPING
            )
            with export.open("rb") as handle:
                batch = ImportBatch(
                    source=source,
                    original_name=export.name,
                    columns=IMPORT_COLUMNS,
                    status=ImportBatch.Status.QUEUED,
                    created_by=User.objects.get(username=ANALYST),
                )
                batch.file.save(export.name, File(handle), save=True)
            before = resource.getrusage(resource.RUSAGE_SELF)
            started = time.perf_counter()
            batch = run_import(batch.pk)
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    log(
        f"import {batch.status}: {batch.created_count:,} records in {seconds:.1f} s, "
        f"peak {peak_kb / 1024:.0f} MB"
    )
    return {
        "rows": config["import_rows"],
        "status": batch.status,
        "created": batch.created_count,
        "errors": batch.errors[:5],
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_kb / 1024),
        "rss_before_import_mb": round(before.ru_maxrss / 1024),
        # This process only: PostgreSQL's own work happens in its server process.
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
    }


# --- The parent -------------------------------------------------------------------------------


def child_env(database_url: str) -> dict[str, str]:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "patientvoice.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",  # the test client speaks plain HTTP
        "TASK_BACKEND": "database",
        "LOG_LEVEL": "WARNING",
    }


def in_child(command: str, config: dict[str, Any], database_url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, command],
        input=json.dumps(config),
        env=child_env(database_url),
        cwd=REPO,
        capture_output=False,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SetupError(f"{command} for {config.get('backend', 'import')} failed")
    return json.loads(done.stdout)


def database_url(config: argparse.Namespace, backend: str) -> str:
    if backend == "postgres":
        if not config.skip_load:
            recreate_database(config.pg, config.database)
        return f"{config.pg}/{config.database}"
    if not config.skip_load:
        SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    elif not SQLITE_FILE.exists():
        raise SetupError(f"--skip-load but there is no {SQLITE_FILE}")
    return f"sqlite:///{SQLITE_FILE}"


def measure(config: argparse.Namespace) -> dict[str, Any]:
    backends = ["sqlite", "postgres"] if config.backend == "both" else [config.backend]
    result: dict[str, Any] = {
        "rows": config.rows,
        "requests": config.requests,
        "cpus": os.cpu_count(),
        "load_average_at_start": round(os.getloadavg()[0], 1),
        "backends": {},
    }
    for backend in backends:
        log(f"{backend}: {'reusing the loaded database' if config.skip_load else 'building'}")
        url = database_url(config, backend)
        child = {
            "backend": backend,
            "rows": config.rows,
            "requests": config.requests,
            "skip_load": config.skip_load,
        }
        result["backends"][backend] = in_child("_backend", child, url)
    if config.import_rows and "postgres" in backends:
        log(f"import: fresh database {IMPORT_DATABASE}")
        recreate_database(config.pg, IMPORT_DATABASE)
        result["import"] = in_child(
            "_import", {"import_rows": config.import_rows}, f"{config.pg}/{IMPORT_DATABASE}"
        )
    return result


def verdict(result: dict[str, Any]) -> list[str]:
    problems = []
    for backend, found in result["backends"].items():
        for name, page in found["pages"].items():
            if page["ms"]["p95"] > TARGET_MS[backend]:
                problems.append(
                    f"MISSED {backend} {name}: p95 {page['ms']['p95']} ms "
                    f"> {TARGET_MS[backend]:.0f} ms"
                )
    imported = result.get("import")
    if imported and (imported["status"] != "done" or imported["seconds"] > IMPORT_TARGET_S):
        problems.append(f"MISSED import: {imported['status']} in {imported['seconds']} s")
    return problems


def print_report(result: dict[str, Any], problems: list[str]) -> None:
    print(
        f"insight_scale: {result['rows']:,} generated rows, {result['requests']} requests a page; "
        f"{result['cpus']} CPUs, load average {result['load_average_at_start']} at the start"
    )
    for backend, found in result["backends"].items():
        print(f"\n{backend}")
        if "load" in found:
            load = found["load"]
            print(
                f"  rows loaded {load['rows_loaded']:,} in {load['load_s']} s "
                f"(+ migrate and demo {load['setup_s']} s, analyse {load['analyse_s']} s)"
            )
        summary = found.get("summary") or found.get("load", {}).get("summary")
        if summary:
            print(
                f"  insight summary rebuilt in {summary['seconds']} s "
                f"({summary['response_rows']:,} response rows, "
                f"{summary['theme_rows']:,} theme rows)"
            )
        print("  " + ", ".join(f"{k} {v:,}" for k, v in found["counts"].items()))
        scope = found["scope"]
        print(
            f"  scope: {scope['organisation']} ({scope['organisation_experiences']:,} records), "
            f"theme {scope['theme']!r}, search {scope['search']!r}"
        )
        for name, page in found["pages"].items():
            ms = page["ms"]
            print(
                f"  {name:16} p50 {ms['p50']:>8.1f} ms  p95 {ms['p95']:>8.1f} ms  "
                f"max {ms['max']:>8.1f} ms  first {page['first_ms']:>8.1f} ms  "
                f"{page['queries']} queries  (target p95 < {TARGET_MS[backend]:.0f} ms)"
            )
    imported = result.get("import")
    if imported:
        print(
            f"\nimport (postgres): {imported['rows']:,}-row FFT CSV -> {imported['status']}, "
            f"{imported['created']:,} records in {imported['seconds']} s, peak RSS "
            f"{imported['peak_rss_mb']} MB (before import {imported['rss_before_import_mb']} MB), "
            f"{imported['cpu_s']} s CPU in the importing process (target < {IMPORT_TARGET_S:.0f} s)"
        )
    print()
    for line in problems or ["ALL TARGETS MET"]:
        print(line)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="generated rows (1,000,000)")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=20, help="timed requests a page (20)")
    parser.add_argument(
        "--import-rows",
        type=int,
        default=1_000_000,
        help="rows in the timed import on PostgreSQL (1,000,000; 0 skips it)",
    )
    parser.add_argument("--skip-load", action="store_true", help="time the loaded databases again")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument(
        "--database",
        default=PAGES_DATABASE,
        help=f"PostgreSQL database for the pages, dropped unless --skip-load ({PAGES_DATABASE})",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    config = parser.parse_args(argv)
    if "scale" not in config.database:
        parser.error("--database must contain 'scale': it is dropped on every run")
    if config.rows < 1 or config.requests < 1 or config.import_rows < 0:
        parser.error("--rows and --requests must be positive, --import-rows not negative")
    return config


def main(argv: list[str]) -> int:
    if argv[:1] in (["_backend"], ["_import"]):
        child = json.loads(sys.stdin.read())
        run = run_backend if argv[0] == "_backend" else run_import_bench
        print(json.dumps(run(child)))
        return 0
    config = parse_args(argv)
    try:
        config.pg = loopback_url(config.pg)
        result = measure(config)
    except (SetupError, psycopg.Error) as error:
        log(f"SETUP FAILED: {error}")
        return 2
    return finish(result, verdict(result), config.json, print_report)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
