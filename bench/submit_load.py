"""Load test of the share-experience form on the production profile.

Sets up PostgreSQL, gunicorn with several worker processes and production settings (DEBUG off,
manifest static files), drives GET form -> POST form from a second process over loopback with many
concurrent clients, then checks in the database that every accepted submission was stored, once.

    .venv/bin/python bench/submit_load.py                      # 20 s, 16 clients, gunicorn.conf.py
    .venv/bin/python bench/submit_load.py --seconds 60 --clients 32 --workers 8
    .venv/bin/python bench/submit_load.py --submissions 2000   # stop after 2000 attempts
    .venv/bin/python bench/submit_load.py --json               # machine-readable result

Each run drops and recreates the database named by --database (default patientvoice_bench; the
name must contain "bench"), migrates it, loads the demo world and collects static files into a
temporary directory; the database is left in place afterwards for inspection. PostgreSQL is
reached as the `postgres` user on 127.0.0.1:5432 (--pg to change); only loopback is allowed.

The same load first runs against a bare view (bench/limit_site: the same settings, middleware
and gunicorn command; a tiny template on GET, one INSERT on POST): what this machine allows at
most. The report gives both rates and the share form's fraction of that limit.

Each client behaves as a person's browser: it fetches the form, sends back every hidden input
(CSRF token, the signed submission token) and the empty honeypot, and posts --think-seconds
after the fetch (above the form's minimum time), meanwhile fetching forms for other visitors.
Comments are the data set's, each once, so near-duplicate detection does not hold them back.
The abuse defences stay on; only the rate limits are raised (RAISED_RATE_LIMITS), as one
address sends everything, and they count in Redis as in production (--cache).

A submission is "accepted" only when the POST answers 302 to /share/thank-you/<reference>/;
every accepted one must be stored, with the date it gave, and none held back for review. The
run also submits one form twice, and several forms twice at the same moment, to check that a
repeated submission token gives back the same reference and stores one record.

Exit status: 0 when stored equals accepted, every check passed and the targets were met (at
least half the limit, POST p99 under 150 ms), 1 otherwise (a MISMATCH, FAILED or MISSED line
says which), 2 when the set-up itself failed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import html
import http.client
import json
import os
import random
import re
import runpy
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import psycopg
from benchkit import (
    LOOPBACK,
    SetupError,
    finish,
    latency_summary,
    loopback_url,
    recreate_database,
)
from benchkit import production_env as base_production_env
from limit_site.urls import CREATE_TABLE as LIMIT_TABLE_SQL
from limit_site.urls import TABLE as LIMIT_TABLE

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FFT_CSV = REPO / "patientvoice" / "insight" / "data" / "v6framework_train.csv"
REQUEST_TIMEOUT = 15.0  # seconds, for every single request
THANK_YOU = "/share/thank-you/"
LIMIT_PATH, LIMIT_DONE = "/limit/", "/limit/done/"
# The share form holds back a post sent within PATIENTVOICE_FORM_MIN_SECONDS (3) of the form
# being shown; people take longer than that.
DEFAULT_THINK_SECONDS = 3.5
# Rate limits raised so that one address (this script) may send the whole run; every post is
# still counted against them.
RAISED_RATE_LIMITS = {
    "PATIENTVOICE_RATELIMIT_CLIENT_HOLD": "1000000/10m",
    "PATIENTVOICE_RATELIMIT_CLIENT_REFUSE": "2000000/10m",
    "PATIENTVOICE_RATELIMIT_SERVICE_HOLD": "1000000/h",
}
TARGET_SHARE, TARGET_P99_MS = 0.5, 150
FALLBACK_COMMENTS: list[tuple[int | None, str]] = [
    (1, "The nurses were kind and explained everything clearly."),
    (4, "I waited over two hours and nobody told us why."),
    (2, "Easy to book, seen on time, friendly receptionist."),
]


def log(message: str) -> None:
    # Progress goes to stderr so that --json output on stdout stays parseable.
    print(message, file=sys.stderr, flush=True)


# --- HTTP: one visitor is one browser (its own cookies), one connection per request -------------


@dataclass(frozen=True)
class Response:
    status: int
    location: str
    body: str
    ms: float


class Visitor:
    """A browser with a cookie jar. Each request opens its own connection, as a visitor's
    first request does (the bare view and the form pay the same for it)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> Response:
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "patientvoice-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            start = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            text = reply.read().decode("utf-8", "replace")
            ms = (time.perf_counter() - start) * 1000
        finally:
            connection.close()
        for raw in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(reply.status, reply.getheader("Location", ""), text, ms)


# The form's controls: each <input ...> and <textarea ...> start tag, and its attributes.
CONTROL_TAG = re.compile(r"<(input|textarea)(\s[^>]*)?>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def form_defaults(page: str) -> dict[str, str]:
    """What a browser sends for the controls nobody touches: every hidden input (CSRF token,
    submission token, anything else the form signs), and every text box and text area as it
    came, which is empty on a blank form, so a honeypot field goes back empty as from a person.

    Reads only the controls' start tags, as html.parser would read them (attribute names
    case-folded, character references in values decoded): parsing the whole 20-45 KB page in
    pure Python cost the load generator more CPU per form than the bare view's server spends
    on a submission, on the same two cores as the server it measures.
    """
    values: dict[str, str] = {}
    for match in CONTROL_TAG.finditer(page):
        attrs: dict[str, str] = {}
        for found in ATTRIBUTE.finditer(match.group(2) or ""):
            name = found.group(1).lower()
            raw = next((v for v in found.group(2, 3, 4) if v is not None), None)
            attrs.setdefault(name, "" if raw is None else html.unescape(raw))
        name = attrs.get("name")
        if not name:
            continue
        if match.group(1).lower() == "textarea":
            values[name] = ""
        elif (attrs.get("type") or "text").lower() in SENT_AS_IS:
            values[name] = attrs.get("value") or ""
    return values


SENT_AS_IS = {"hidden", "text", "email", "tel", "number", "search", "url"}


def token_uuid(value: str) -> str:
    """The uuid a submission is stored under: the form's token is `<uuid>:<time>:<signature>`
    (patientvoice.defences), or a bare uuid."""
    return value.split(":", 1)[0]


def accepted_reference(response: Response, prefix: str) -> str | None:
    """The reference in a 302 to `prefix`<reference>/, or None when the POST was not accepted."""
    path = urlsplit(response.location).path
    if response.status != 302 or not path.startswith(prefix):
        return None
    return path[len(prefix) :].strip("/") or None


def thank_you_reference(response: Response) -> str | None:
    return accepted_reference(response, THANK_YOU)


# --- What a person types ---------------------------------------------------------------------


def load_comments() -> list[tuple[int | None, str]]:
    """Real FFT comments from the shipped data set, so payload sizes are realistic; each text
    once (by its letters, as near-duplicate detection compares them), since the same words sent
    again are rightly held back."""
    if not FFT_CSV.exists():
        return list(FALLBACK_COMMENTS)
    comments: list[tuple[int | None, str]] = []
    seen: set[str] = set()
    with FFT_CSV.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row.get("FFT answer") or "").strip()
            letters = "".join(ch for ch in text.casefold() if ch.isalpha())
            if len(text) >= 3 and letters not in seen:
                seen.add(letters)
                raw = row.get("FFT categorical answer") or ""
                comments.append((int(raw) if raw in {"1", "2", "3", "4", "5", "6"} else None, text))
    return comments or list(FALLBACK_COMMENTS)


def fill_form(rng: random.Random, pick: Callable[[], tuple[int | None, str]]) -> dict[str, str]:
    """What a person types into the share-experience form (comments from `pick`); mixes the
    optional parts."""
    rating, text = pick()
    rating = rating or rng.choice([1, 1, 2, 3, 4, 5, 6])
    good, better = (text, "") if rating <= 2 else ("", text)
    if rng.random() < 0.2:
        better = better or pick()[1]
        good = good or pick()[1]
    fields = {
        "rating": str(rating),
        "respondent": rng.choice(["patient"] * 6 + ["carer", "relative", "other"]),
        "what_was_good": good,
        "could_be_better": better,
    }
    if rng.random() < 0.5:
        # At least a day ago: the server's "today" (Europe/London) may differ from ours.
        day = datetime.date.today() - datetime.timedelta(days=rng.randint(1, 90))  # noqa: DTZ011
        # Named as the NHS.UK date input names its boxes (prefix[day]), as a browser sends them.
        fields |= {"happened_on[day]": str(day.day), "happened_on[month]": str(day.month)}
        fields["happened_on[year]"] = str(day.year)
    if rng.random() < 0.6:
        fields["may_publish"] = "on"
    if rng.random() < 0.15:
        fields |= {"may_contact": "on", "contact_name": "Alex Bench"}
        fields["contact_email"] = f"bench-{rng.randrange(10**9)}@example.org"
    if rng.random() < 0.4:
        fields |= {
            "age_band": rng.choice(["16-24", "25-34", "45-54", "65-74", "75+", "not_said"]),
            "sex": rng.choice(["female", "male", "not_said", ""]),
            "ethnicity": rng.choice(["A"] * 6 + ["C", "H", "J", "M", "N", "R", "Z", ""]),
            "disability": rng.choice(["yes", "no", "no", "not_said", ""]),
            "postcode_district": f"ND{rng.randint(1, 8)}",
        }
    return fields


def comments_in(fields: dict[str, str]) -> int:
    return sum(1 for name in ("what_was_good", "could_be_better") if fields[name].strip())


def date_in(fields: dict[str, str]) -> str | None:
    """The date the form says it happened on, as ISO, or None when left blank."""
    if not fields.get("happened_on[year]"):
        return None
    parts = (int(fields[f"happened_on[{part}]"]) for part in ("year", "month", "day"))
    return datetime.date(*parts).isoformat()


# --- The load generator (runs in its own process: `submit_load.py _generate` + JSON on stdin) ----


class LoadState:
    """Shared by the client threads; every mutation holds the lock."""

    def __init__(self, limit: int | None, deadline: float) -> None:
        self.lock = threading.Lock()
        self.limit, self.deadline, self.started = limit, deadline, 0
        self.get_ms: list[float] = []
        self.post_ms: list[float] = []
        self.errors: Counter[str] = Counter()
        self.error_examples: dict[str, str] = {}
        self.attempts: list[dict[str, Any]] = []

    def claim(self) -> bool:
        with self.lock:
            if time.monotonic() >= self.deadline:
                return False
            if self.limit is not None and self.started >= self.limit:
                return False
            self.started += 1
            return True

    def error(self, kind: str, example: str = "") -> None:
        with self.lock:
            self.errors[kind] += 1
            self.error_examples.setdefault(kind, example[:300])


@dataclass
class Filled:
    """A form fetched by one visitor and filled in, waiting to be sent."""

    visitor: Visitor
    path: str
    form: dict[str, str]
    attempt: dict[str, Any]
    fetched_at: float


def fetch_form(
    visitor: Visitor, path: str, fields: dict[str, str], state: LoadState
) -> Filled | None:
    try:
        page = visitor.request("GET", path)
    except OSError as error:
        state.error(f"GET {type(error).__name__}", str(error))
        return None
    if page.status != 200:
        state.error(f"GET {page.status}", page.body)
        return None
    form = form_defaults(page.body) | fields
    attempt = {
        "token": token_uuid(form.get("submission_token", "")),
        "comments": comments_in(form),
        "happened_on": date_in(form),
    }
    with state.lock:
        state.get_ms.append(page.ms)
        state.attempts.append(attempt)
    return Filled(visitor, path, form, attempt, time.monotonic())


def post_form(filled: Filled, state: LoadState, accept_prefix: str) -> None:
    attempt = filled.attempt
    try:
        answer = filled.visitor.request("POST", filled.path, filled.form)
    except OSError as error:
        # The server may still have stored it: the outcome is unknown, not "rejected".
        attempt["outcome"] = "unknown"
        state.error(f"POST {type(error).__name__}", str(error))
        return
    reference = accepted_reference(answer, accept_prefix)
    attempt["reference"] = reference
    attempt["outcome"] = "accepted" if reference else f"POST {answer.status}"
    if reference is None:
        state.error(describe_rejection(answer), answer.body)
    with state.lock:
        state.post_ms.append(answer.ms)


def describe_rejection(answer: Response) -> str:
    if answer.status == 200 and "nhsuk-error-summary" in answer.body:
        return "POST 200 (form shown again with errors)"
    return f"POST {answer.status}"


class CommentDeck:
    """Hands out the data set's comments in a shuffled order, each once before any repeats, so
    that near-duplicate detection sees what many different people wrote."""

    def __init__(self, comments: list[tuple[int | None, str]], seed: int) -> None:
        self.lock = threading.Lock()
        self.comments = list(comments)
        random.Random(seed).shuffle(self.comments)
        self.next = 0

    def choice(self) -> tuple[int | None, str]:
        with self.lock:
            comment = self.comments[self.next % len(self.comments)]
            self.next += 1
            return comment


def client_loop(params: dict[str, Any], state: LoadState, seed: int, deck: CommentDeck) -> None:
    """One client: a new visitor for every form (the public form is filled by many people, once
    each). A form is sent once `think` seconds have passed since it was fetched, as a person
    takes time to fill it in; meanwhile the client fetches forms for other visitors, so the
    server sees as many requests at a time as there are clients, whatever the think time."""
    rng = random.Random(seed)
    host, port, think = params["host"], params["port"], params["think_seconds"]
    pending: list[Filled] = []
    while True:
        now = time.monotonic()
        if pending and now - pending[0].fetched_at >= think:
            post_form(pending.pop(0), state, params["accept_prefix"])
        elif state.claim():
            path = rng.choice(params["paths"])
            filled = fetch_form(Visitor(host, port), path, fill_form(rng, deck.choice), state)
            if filled is not None:
                pending.append(filled)
        elif pending:
            time.sleep(max(0.0, think - (now - pending[0].fetched_at)))
        else:
            return


def generate(params: dict[str, Any]) -> dict[str, Any]:
    if params["host"] not in LOOPBACK:
        raise SystemExit(f"refusing to load a non-loopback host: {params['host']}")
    deck = CommentDeck(load_comments(), params["seed"])
    start = time.monotonic()
    state = LoadState(params["submissions"], start + params["seconds"])
    threads = [
        threading.Thread(
            target=client_loop, args=(params, state, params["seed"] + n, deck), daemon=True
        )
        for n in range(params["clients"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # Bounded: a claimed submission makes two requests, each with REQUEST_TIMEOUT, and
        # waits at most the think time in between.
        thread.join(timeout=params["seconds"] + params["think_seconds"] + 3 * REQUEST_TIMEOUT)
    return {
        "elapsed": time.monotonic() - start,
        "get_ms": state.get_ms,
        "post_ms": state.post_ms,
        "errors": dict(state.errors),
        "error_examples": state.error_examples,
        "attempts": list(state.attempts),
        "stuck_threads": sum(thread.is_alive() for thread in threads),
    }


def run_generator(params: dict[str, Any]) -> dict[str, Any]:
    """Runs generate() in a second Python process, so client and server never share a GIL."""
    completed = subprocess.run(
        [sys.executable, __file__, "_generate"],
        input=json.dumps(params),
        capture_output=True,
        text=True,
        timeout=params["seconds"] + params["think_seconds"] + 4 * REQUEST_TIMEOUT + 30,
        check=False,
    )
    if completed.returncode != 0:
        raise SetupError(f"load generator failed:\n{completed.stderr[-3000:]}")
    return dict(json.loads(completed.stdout))


# --- The production profile: database, settings, gunicorn -------------------------------------


def production_env(
    config: argparse.Namespace, database_url: str, static_root: Path, port: int
) -> dict[str, str]:
    return (
        base_production_env(database_url, static_root, port)
        | RAISED_RATE_LIMITS
        | {
            "DJANGO_SETTINGS_MODULE": config.settings,
            # The rate-limit counters: Redis, as in production, unless --cache database.
            "CACHE_URL": config.cache,
            # The repository this script belongs to, not whatever is installed.
            "PYTHONPATH": str(REPO),
        }
    )


def manage(env: dict[str, str], *args: str) -> None:
    command = [str(BIN / "patientvoice"), *args]
    done = subprocess.run(
        command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise SetupError(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    env: dict[str, str], port: int, workers: int | None, log_file: Any
) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "patientvoice.wsgi",
        f"--bind=127.0.0.1:{port}",
        # Everything else from the product's gunicorn.conf.py (read from REPO, the working
        # directory), as production runs it; --workers overrides its number of processes.
        *([f"--workers={workers}"] if workers else []),
    ]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=log_file, stderr=log_file)


def wait_until_ready(server: subprocess.Popen, port: int, path: str, seconds: float = 60) -> None:
    deadline, last = time.monotonic() + seconds, "no answer"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupError(f"gunicorn exited with status {server.returncode}")
        try:
            status = Visitor("127.0.0.1", port).request("GET", path).status
        except OSError as error:
            last = str(error)
        else:
            # The app answered: a worker is up, and anything but 200 will not fix itself.
            if status == 200:
                return
            raise SetupError(f"GET {path} answered {status} on the production profile")
        time.sleep(0.2)
    raise SetupError(f"gunicorn did not answer {path} within {seconds:.0f} s ({last})")


def warm_up(port: int, path: str, workers: int) -> None:
    # Each worker compiles the templates on its first request; keep that out of the figures.
    # Concurrent, because an idle sync worker takes every request and the others stay cold.
    def visit() -> None:
        for _ in range(4):
            try:
                Visitor("127.0.0.1", port).request("GET", path)
            except OSError:  # a slow first request: the load itself will tell
                return

    threads = [threading.Thread(target=visit) for _ in range(2 * workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=4 * REQUEST_TIMEOUT)


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


# --- Checks against the database --------------------------------------------------------------


def database_counts(db: psycopg.Connection) -> dict[str, int]:
    row = db.execute(
        "SELECT count(*), coalesce(max(id), 0), (SELECT count(*) FROM feedback_comment),"
        " (SELECT count(*) FROM django_tasks_database_dbtaskresult) FROM feedback_experience"
    ).fetchone()
    assert row is not None
    return {"experiences": row[0], "max_id": row[1], "comments": row[2], "tasks": row[3]}


def verify_storage(
    db: psycopg.Connection, before: dict[str, int], attempts: list[dict[str, Any]]
) -> dict[str, Any]:
    """Reconciles what the clients were told with what the database holds."""
    after = database_counts(db)
    rows = db.execute(
        "SELECT submission_token::text, reference, happened_on FROM feedback_experience"
        " WHERE id > %s",
        [before["max_id"]],
    ).fetchall()
    stored = {token: reference for token, reference, _ in rows}
    stored_dates = {token: day and day.isoformat() for token, _, day in rows}
    by_token = {a["token"]: a for a in attempts}
    accepted = {token: a for token, a in by_token.items() if a.get("outcome") == "accepted"}
    lost = [a for token, a in accepted.items() if stored.get(token) != a["reference"]]
    dated = [token for token, a in accepted.items() if a["happened_on"]]
    wrong_dates = [t for t, a in accepted.items() if stored_dates.get(t) != a["happened_on"]]
    unconfirmed = Counter(
        by_token.get(token, {}).get("outcome", "never sent")
        for token in stored.keys() - accepted.keys()
    )
    return {
        "accepted": len(accepted),
        "stored": after["experiences"] - before["experiences"],
        "stored_new_ids": len(stored),
        "lost": [a["reference"] for a in lost][:20],
        "lost_count": len(lost),
        "stored_unconfirmed": dict(unconfirmed),
        "comments_sent": sum(a["comments"] for a in accepted.values()),
        "comments_stored": after["comments"] - before["comments"],
        "tasks_queued": after["tasks"] - before["tasks"],
        "dates_sent": len(dated),
        "dates_wrong": len(wrong_dates),
        "held_back": held_back(db, before["max_id"]),
    }


def held_back(db: psycopg.Connection, after_id: int) -> dict[str, int]:
    """New records the defences held back for review, by reason (none on a schema without)."""
    has_status = db.execute(
        "SELECT 1 FROM information_schema.columns"
        " WHERE table_name = 'feedback_experience' AND column_name = 'held_back_reason'"
    ).fetchone()
    if not has_status:
        return {}
    rows = db.execute(
        "SELECT held_back_reason, count(*) FROM feedback_experience"
        " WHERE id > %s AND held_back_reason <> '' GROUP BY 1",
        [after_id],
    ).fetchall()
    return dict(rows)


def sample_thank_you_pages(port: int, references: list[str], size: int = 20) -> dict[str, int]:
    sample = random.sample(references, min(size, len(references)))
    found = 0
    for reference in sample:
        page = Visitor("127.0.0.1", port).request("GET", f"{THANK_YOU}{reference}/")
        found += page.status == 200 and reference in page.body
    return {"checked": len(sample), "found": found}


def tokens_stored(db: psycopg.Connection, tokens: list[str]) -> int:
    row = db.execute(
        "SELECT count(*) FROM feedback_experience WHERE submission_token::text = ANY(%s)", [tokens]
    ).fetchone()
    return int(row[0]) if row else 0


def forms_ready_to_post(
    port: int, path: str, count: int, think: float, seed: int
) -> list[tuple[Visitor, dict[str, str]]]:
    """`count` forms fetched and filled in, each by its own visitor, after the think time.
    Their comments come from the far end of the load's deck, so none repeats one just sent."""
    rng, deck = random.Random(seed), CommentDeck(load_comments(), seed)
    deck.comments.reverse()
    ready = []
    for _ in range(count):
        visitor = Visitor("127.0.0.1", port)
        page = visitor.request("GET", path)
        ready.append((visitor, form_defaults(page.body) | fill_form(rng, deck.choice)))
    time.sleep(think)
    return ready


def post_together(visitor: Visitor, path: str, form: dict[str, str]) -> list[str | None]:
    """Two POSTs of one form released at the same moment: a double-click that wins the race."""
    barrier = threading.Barrier(2)
    references: list[str | None] = [None, None]

    def post(slot: int) -> None:
        barrier.wait(timeout=REQUEST_TIMEOUT)
        references[slot] = thank_you_reference(visitor.request("POST", path, form))

    threads = [threading.Thread(target=post, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * REQUEST_TIMEOUT)
    return references


def check_double_submit(
    db: psycopg.Connection, port: int, path: str, pairs: int, config: argparse.Namespace
) -> dict[str, Any]:
    ready = forms_ready_to_post(port, path, 1 + pairs, config.think_seconds, config.seed)
    visitor, form = ready[0]
    first, second = (thank_you_reference(visitor.request("POST", path, form)) for _ in range(2))
    sequential_ok = first is not None and first == second
    sequential_rows = tokens_stored(db, [token_uuid(form["submission_token"])])
    racing_same, racing_tokens = 0, []
    for visitor, form in ready[1:]:
        references = post_together(visitor, path, form)
        racing_same += references[0] is not None and references[0] == references[1]
        racing_tokens.append(token_uuid(form["submission_token"]))
    racing_rows = tokens_stored(db, racing_tokens)
    return {
        "sequential_same_reference": sequential_ok,
        "sequential_rows": sequential_rows,
        "racing_pairs": pairs,
        "racing_same_reference": racing_same,
        "racing_rows": racing_rows,
        "ok": sequential_ok and sequential_rows == 1 and racing_same == pairs == racing_rows,
    }


def log_tail(log_path: Path, lines: int = 12) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])


def server_log_problems(log_path: Path) -> dict[str, int]:
    text = log_path.read_text(errors="replace")
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "error_lines": sum(" ERROR " in line or "[ERROR]" in line for line in text.splitlines()),
    }


# --- Reporting --------------------------------------------------------------------------------


def load_figures(load: dict[str, Any], accepted: int, think: float) -> dict[str, Any]:
    # Forms are fetched for --seconds and each is sent `think` seconds later: the posts span
    # the run less the first `think` seconds.
    return {
        "elapsed_seconds": round(load["elapsed"], 2),
        "posted": len(load["attempts"]),
        "accepted": accepted,
        "submissions_per_second": round(accepted / max(load["elapsed"] - think, 1e-9), 1),
        # Web workers' CPU per accepted submission (GET and POST): unlike the rate, little
        # moved by what else the machine is doing.
        "server_cpu_ms_per_submission": round(1000 * load["server_cpu_seconds"] / accepted, 1)
        if accepted
        else None,
        "post_ms": latency_summary(load["post_ms"]),
        "get_ms": latency_summary(load["get_ms"]),
    }


def summarise(
    config: argparse.Namespace, load: dict[str, Any], limit: dict[str, Any], **checks: Any
) -> dict[str, Any]:
    product = load_figures(load, checks["storage"]["accepted"], config.think_seconds)
    return {
        "profile": {
            **server_profile(config),
            "clients": config.clients,
            "seconds": config.seconds,
            "think_seconds": config.think_seconds,
            "submissions_limit": config.submissions,
            "database": config.database,
            "settings": config.settings,
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "limit": limit,
        "share_of_limit": round(
            product["submissions_per_second"] / limit["submissions_per_second"], 3
        )
        if limit["submissions_per_second"]
        else None,
        **product,
        "errors": load["errors"],
        "error_examples": load["error_examples"],
        "stuck_client_threads": load["stuck_threads"],
        **checks,
    }


def verdict(result: dict[str, Any]) -> list[str]:
    """Every reason the run failed, as the lines to print; empty when it passed."""
    storage, double = result["storage"], result["double_submit"]
    problems = []
    if storage["stored"] != storage["accepted"]:
        problems.append(
            f"MISMATCH: stored {storage['stored']} != accepted {storage['accepted']}"
            f" (stored but not confirmed to the client, by outcome: "
            f"{storage['stored_unconfirmed'] or 'none'})"
        )
    if storage["lost_count"]:
        problems.append(f"FAILED: {storage['lost_count']} accepted references not stored")
    if storage["comments_stored"] != storage["comments_sent"]:
        problems.append(
            f"MISMATCH: comments stored {storage['comments_stored']}"
            f" != sent {storage['comments_sent']}"
        )
    sampled = result["thank_you_pages"]
    if sampled["found"] != sampled["checked"]:
        problems.append(f"FAILED: thank-you pages found {sampled['found']}/{sampled['checked']}")
    if not double["ok"]:
        problems.append(f"FAILED: double submission check {double}")
    if result["stuck_client_threads"]:
        problems.append(f"FAILED: {result['stuck_client_threads']} client threads never finished")
    if result["accepted"] == 0:
        problems.append("FAILED: no submission was accepted")
    if storage["held_back"]:
        problems.append(f"FAILED: people's submissions held back for review {storage['held_back']}")
    if storage["dates_wrong"]:
        problems.append(f"MISMATCH: {storage['dates_wrong']} stored dates differ from those sent")
    limit = result["limit"]
    if limit["stored"] != limit["accepted"] or limit["errors"]:
        problems.append(
            f"FAILED: the limit run stored {limit['stored']} of {limit['accepted']}"
            f" accepted, errors {limit['errors'] or 'none'}"
        )
    return problems


def targets_missed(result: dict[str, Any]) -> list[str]:
    """The issue's targets: at least TARGET_SHARE of the limit, POST p99 under TARGET_P99_MS."""
    missed = []
    share, p99 = result["share_of_limit"], result["post_ms"]["p99"]
    if share is None or share < TARGET_SHARE:
        missed.append(f"MISSED: {share:.0%} of the limit, target at least {TARGET_SHARE:.0%}")
    if p99 is None or p99 >= TARGET_P99_MS:
        missed.append(f"MISSED: POST p99 {ms(p99)}, target under {TARGET_P99_MS} ms")
    return missed


def cpu_ms(figures: dict[str, Any]) -> str:
    return ms(figures["server_cpu_ms_per_submission"])


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def print_report(result: dict[str, Any], problems: list[str]) -> None:
    profile, storage, double = result["profile"], result["storage"], result["double_submit"]
    post, get = result["post_ms"], result["get_ms"]
    errors = ", ".join(f"{kind}: {n}" for kind, n in result["errors"].items()) or "none"
    logs = result["server_log"]
    limit, lpost, lget = result["limit"], result["limit"]["post_ms"], result["limit"]["get_ms"]
    load_average = ", ".join(f"{n:.2f}" for n in profile["load_average"])
    lines = [
        "patientvoice: share-experience form under load (production profile)",
        f"  server       gunicorn ({profile['worker_class']}): {profile['workers']} workers x"
        f" {profile['threads']} threads, PostgreSQL"
        f" {profile['database']}, {profile['settings']}, {profile['cpus']} CPUs"
        f" (load average at the end {load_average})",
        f"  load         {profile['clients']} clients in a second process, loopback,"
        f" {result['elapsed_seconds']} s each run; each form sent {profile['think_seconds']} s"
        " after it was fetched",
        f"  limit        bare view (bench/limit_site: tiny template, one INSERT), same settings:"
        f" {limit['submissions_per_second']} submissions/s ({limit['accepted']} accepted,"
        f" {limit['stored']} stored); web workers' CPU {cpu_ms(limit)} a submission",
        f"               POST p50 {ms(lpost['p50'])}, p99 {ms(lpost['p99'])};"
        f" GET p50 {ms(lget['p50'])}, p99 {ms(lget['p99'])}",
        f"  submissions  {result['accepted']} accepted of {result['posted']} posted",
        f"  throughput   {result['submissions_per_second']} submissions/s,"
        f" {result['share_of_limit']:.0%} of the limit; web workers' CPU {cpu_ms(result)}"
        " a submission",
        f"  POST latency p50 {ms(post['p50'])}, p95 {ms(post['p95'])}, p99 {ms(post['p99'])},"
        f" max {ms(post['max'])}",
        f"  GET latency  p50 {ms(get['p50'])}, p99 {ms(get['p99'])}",
        f"  errors       {errors}",
        f"  stored       {storage['stored']} records for {storage['accepted']} accepted"
        f" ({storage['lost_count']} accepted references missing)",
        f"  comments     {storage['comments_stored']} stored for {storage['comments_sent']} sent;"
        f" {storage['tasks_queued']} background tasks queued",
        f"  dates        {storage['dates_sent']} accepted forms gave a date;"
        f" {storage['dates_wrong']} stored differently",
        f"  held back    {sum(storage['held_back'].values())} for review"
        f" {storage['held_back'] or ''}",
        f"  thank-you    {result['thank_you_pages']['found']}/"
        f"{result['thank_you_pages']['checked']} sampled reference pages found",
        f"  double POST  sequential: same reference"
        f" {'yes' if double['sequential_same_reference'] else 'NO'},"
        f" {double['sequential_rows']} row; racing pairs: {double['racing_same_reference']}/"
        f"{double['racing_pairs']} same reference, {double['racing_rows']} rows",
        f"  server log   {logs['tracebacks']} tracebacks, {logs['worker_timeouts']} worker"
        f" timeouts, {logs['error_lines']} error lines",
    ]
    for kind, example in result["error_examples"].items():
        lines.append(f"  example of {kind}: {' '.join(example.split())[:200]}")
    missed = [line for line in problems if line.startswith("MISSED")]
    failed = [line for line in problems if line not in missed]
    lines += failed or ["OK: stored equals accepted and every check passed"]
    lines += missed or [
        f"TARGETS MET: at least {TARGET_SHARE:.0%} of the limit, POST p99 under {TARGET_P99_MS} ms"
    ]
    print("\n".join(lines))


# --- Orchestration ----------------------------------------------------------------------------


def active_service_slugs(db: psycopg.Connection) -> list[str]:
    rows = db.execute("SELECT slug FROM directory_service WHERE is_active ORDER BY slug").fetchall()
    if not rows:
        raise SetupError("the demo world has no active services")
    return [slug for (slug,) in rows]


def prepare(config: argparse.Namespace, env: dict[str, str]) -> None:
    log(f"Recreating database {config.database}; migrate, demo, collectstatic")
    recreate_database(config.pg, config.database)
    manage(env, "migrate", "--noinput")
    manage(env, "demo", "--allow-production")
    manage(env, "collectstatic", "--noinput", "--verbosity=0")
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        db.execute(LIMIT_TABLE_SQL)


@contextmanager
def serving(env: dict[str, str], config: argparse.Namespace, path: str, log_path: Path) -> Any:
    """gunicorn answering on env's port, warmed up on `path`, for as long as the block runs."""
    port = int(urlsplit(env["BASE_URL"]).port or 0)
    with log_path.open("w") as log_file:
        server = start_server(env, port, config.workers, log_file)
        try:
            try:
                wait_until_ready(server, port, path)
            except SetupError as error:
                raise SetupError(f"{error}\n{log_tail(log_path)}") from None
            warm_up(port, path, server_profile(config)["workers"])
            yield server.pid
        finally:
            stop_server(server)


def server_profile(config: argparse.Namespace) -> dict[str, Any]:
    """gunicorn's workers and threads as the bench runs it: the product's gunicorn.conf.py,
    with --workers if given."""
    found = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    return {
        "workers": config.workers or found["workers"],
        "worker_class": found.get("worker_class", "sync"),
        "threads": found.get("threads", 1),
    }


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by the gunicorn master's worker processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name (field 2) may hold spaces: split after its closing bracket.
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master_pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def run_measured(master_pid: int, params: dict[str, Any]) -> dict[str, Any]:
    """run_generator, with the CPU time the web workers spent meanwhile."""
    before = workers_cpu_seconds(master_pid)
    load = run_generator(params)
    return load | {"server_cpu_seconds": workers_cpu_seconds(master_pid) - before}


def load_params(config: argparse.Namespace, port: int, paths: list[str], accept: str) -> dict:
    params = {"host": "127.0.0.1", "port": port, "paths": paths, "accept_prefix": accept}
    names = ("clients", "seconds", "submissions", "seed", "think_seconds")
    return params | {name: getattr(config, name) for name in names}


def measure_limit(config: argparse.Namespace, env: dict[str, str], log_path: Path) -> dict:
    """The same load on the bare view of bench/limit_site: what this machine, these settings and
    this load generator allow at most."""
    port = int(urlsplit(env["BASE_URL"]).port or 0)
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        with serving(env, config, LIMIT_PATH, log_path) as master:
            log(f"Limit: loading the bare view with {config.clients} clients")
            load = run_measured(master, load_params(config, port, [LIMIT_PATH], LIMIT_DONE))
        accepted = {a["token"] for a in load["attempts"] if a.get("outcome") == "accepted"}
        rows = db.execute(f"SELECT submission_token::text FROM {LIMIT_TABLE}")  # noqa: S608
        stored = {token for (token,) in rows}
    return load_figures(load, len(accepted), config.think_seconds) | {
        "stored": len(stored & accepted),
        "errors": load["errors"],
    }


def measure(config: argparse.Namespace, env: dict[str, str], log_path: Path) -> dict:
    port = int(urlsplit(env["BASE_URL"]).port or 0)
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        slugs = active_service_slugs(db)
        path = f"/share/services/{slugs[0]}/"
        with serving(env, config, path, log_path) as master:
            before = database_counts(db)
            log(f"Product: loading the share form with {config.clients} clients")
            paths = [f"/share/services/{slug}/" for slug in slugs]
            load = run_measured(master, load_params(config, port, paths, THANK_YOU))
            storage = verify_storage(db, before, load["attempts"])
            references = [a["reference"] for a in load["attempts"] if a.get("reference")]
            pages = sample_thank_you_pages(port, references)
            log("Checking double submissions")
            double = check_double_submit(db, port, path, config.racing_pairs, config)
    return {
        "load": load,
        "storage": storage,
        "thank_you_pages": pages,
        "double_submit": double,
        "server_log": server_log_problems(log_path),
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="load duration (default 20)")
    parser.add_argument("--submissions", type=int, help="stop after this many attempts")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument(
        "--workers", type=int, help="gunicorn worker processes (default: gunicorn.conf.py's)"
    )
    parser.add_argument("--racing-pairs", type=int, default=10, help="double-click races (10)")
    parser.add_argument("--database", default="patientvoice_bench", help="dropped and recreated")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server URL")
    parser.add_argument("--settings", default="patientvoice.settings", help="settings module")
    parser.add_argument(
        "--cache",
        default="redis://127.0.0.1:6379/13",
        help="where the rate limits count: a redis:// URL (default, Redis database 13) or"
        " 'database'",
    )
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument(
        "--think-seconds",
        type=float,
        default=DEFAULT_THINK_SECONDS,
        help="time from fetching a form to sending it, as a person takes to fill it in"
        f" (default {DEFAULT_THINK_SECONDS}, above the share form's minimum)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    config = parser.parse_args(argv)
    if "bench" not in config.database:
        parser.error("--database must contain 'bench': it is dropped on every run")
    if config.seconds <= 0 or config.clients < 1 or (config.workers or 1) < 1:
        parser.error("--seconds, --clients and --workers must be positive")
    return config


def main(argv: list[str]) -> int:
    if argv[:1] == ["_generate"]:
        print(json.dumps(generate(json.loads(sys.stdin.read()))))
        return 0
    config = parse_args(argv)
    try:
        config.pg = loopback_url(config.pg)
        if not (BIN / "gunicorn").exists():
            raise SetupError(f"no gunicorn beside {sys.executable}: run with .venv/bin/python")
        port = free_port()
        with tempfile.TemporaryDirectory(prefix="patientvoice-bench-") as scratch:
            database_url = f"{config.pg}/{config.database}"
            env = production_env(config, database_url, Path(scratch) / "static", port)
            prepare(config, env)
            limit_env = env | {
                "DJANGO_SETTINGS_MODULE": "limit_site.settings",
                "PYTHONPATH": os.pathsep.join([str(REPO / "bench"), str(REPO)]),
            }
            limit = measure_limit(config, limit_env, Path(scratch) / "limit.log")
            product = measure(config, env, Path(scratch) / "gunicorn.log")
            result = summarise(config, product.pop("load"), limit, **product)
            if result["server_log"]["tracebacks"]:
                log(log_tail(Path(scratch) / "gunicorn.log", 40))
    except (SetupError, psycopg.Error, subprocess.TimeoutExpired) as error:
        log(f"SETUP FAILED: {error}")
        return 2
    return finish(result, verdict(result) + targets_missed(result), config.json, print_report)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
