"""Replays attacks on the public site against the production profile and reports what got through.

    .venv/bin/python bench/abuse.py            # every attack
    .venv/bin/python bench/abuse.py --json     # machine-readable result
    .venv/bin/python bench/abuse.py --attack guess_passwords   # one attack

Sets up its own PostgreSQL database (the name must contain "bench"; dropped and recreated each
run), migrates it, loads the demo world, collects static files into a temporary directory and
starts gunicorn with production settings: DEBUG off, the defences at their defaults, plain HTTP
on loopback (SECURE_SSL_REDIRECT=false). Clients bind their own loopback source address
(127.0.0.x), so the server sees distinct REMOTE_ADDRs, as behind a proxy that sets them.

Attacks (each a function taking the running site, listed in ATTACKS; `main` runs them in turn):
- `flood_share_form`: one client posts the share form 500 times as fast as it can, fetching a
  fresh form for each post as a scripted browser would, while five people on other addresses
  fill in the same form at a human pace. Reports how many of the flood were counted, held back
  for review and refused; that every person's submission was stored and counted; and the
  service's public figures before and after.
- `oversized_post`: an anonymous POST declaring a 300 MB body is refused before it is read.
- `guess_passwords`: one client at one address tries 50 wrong passwords for one staff account,
  then the right one. Reports how many tries were answered "wrong password" and how many were
  refused as locked out; that the right password then does not sign in, from that address or
  another (the lockout is per account as well as per address); and that another member of
  staff at another address still signs in while the lockout lasts.

Exit status: 0 when every check passed, 1 when one failed (a FAILED line says which), 2 when the
set-up failed.
"""

from __future__ import annotations

import argparse
import http.client
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import psycopg
from benchkit import SetupError, finish, loopback_url, production_env, recreate_database

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TIMEOUT = 30.0
THANK_YOU = "/share/thank-you/"
ATTACKER = "127.0.0.1"
PEOPLE = [f"127.0.0.{n}" for n in range(11, 16)]
# What the people on those addresses write: five different experiences.
WORDS = [
    "The nurses on the ward were kind and explained my mother's medicines clearly.",
    "We were seen quickly in triage and the doctor listened to my worries.",
    "The waiting room was clean, and reception kept us updated about delays.",
    "My son's plaster was done gently and the play specialist calmed him down.",
    "Parking was hard, but the porter walked my dad all the way to x-ray.",
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- HTTP from a chosen loopback address -----------------------------------------------------


@dataclass
class Browser:
    """One client: its own cookies and its own source address."""

    port: int
    address: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, fields: dict[str, str] | None = None) -> Any:
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "patientvoice-abuse-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=TIMEOUT, source_address=(self.address, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            text = reply.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for raw in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return reply.status, reply.getheader("Location", ""), text


class HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[found["name"] or ""] = found.get("value") or ""


def fetch_form(browser: Browser, path: str) -> dict[str, str]:
    status, _, page = browser.request("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    parser = HiddenInputs()
    parser.feed(page)
    return parser.values


def reference_of(location: str) -> str | None:
    path = urlsplit(location).path
    return path[len(THANK_YOU) :].strip("/") or None if path.startswith(THANK_YOU) else None


# --- The production profile --------------------------------------------------------------------


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(BIN / "patientvoice"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise SetupError(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Site:
    port: int
    database_url: str

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url) as connection:
            return connection.execute(sql, params).fetchall()


def start_site(env: dict[str, str], port: int, workers: int, log_file: Any) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "patientvoice.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--timeout=60",
    ]
    server = subprocess.Popen(command, env=env, cwd=REPO, stdout=log_file, stderr=log_file)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupError(f"gunicorn exited with status {server.returncode}")
        try:
            if Browser(port, "127.0.0.1").request("GET", "/share/")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SetupError("gunicorn did not answer within 60 s")


# --- Attack 1: the share-form flood ------------------------------------------------------------


def public_figures(site: Site, slug: str) -> tuple[int | None, int | None]:
    """The people counted and % good on the service's public page, as anyone sees them."""
    status, _, page = Browser(site.port, "127.0.0.99").request("GET", f"/services/{slug}/")
    if status != 200:
        raise RuntimeError(f"/services/{slug}/ answered {status}")
    people = re.search(r"(\d[\d,]*) people rated this service", page)
    good = re.search(r"(\d+)%</strong> said their experience was good", page)
    return (
        int(people.group(1).replace(",", "")) if people else None,
        int(good.group(1)) if good else None,
    )


def busiest_service(site: Site) -> str:
    rows = site.query(
        "SELECT s.slug FROM directory_service s JOIN feedback_experience e ON e.service_id = s.id "
        "WHERE s.is_active GROUP BY s.slug ORDER BY count(*) DESC, s.slug LIMIT 1"
    )
    if not rows:
        raise SetupError("the demo world has no service with feedback")
    return str(rows[0][0])


def flood_share_form(site: Site, posts: int = 500, threads: int = 16) -> dict[str, Any]:
    slug = busiest_service(site)
    path = f"/share/services/{slug}/"
    before = public_figures(site, slug)
    outcomes: Counter[str] = Counter()
    references: list[str] = []
    people: dict[str, str | None] = {}
    lock = threading.Lock()
    remaining = iter(range(posts))

    def attacker() -> None:
        browser = Browser(site.port, ATTACKER)
        while True:
            with lock:
                n = next(remaining, None)
            if n is None:
                return
            try:
                hidden = fetch_form(browser, path)
                status, location, _ = browser.request(
                    "POST",
                    path,
                    hidden
                    | {
                        "rating": "5",
                        "respondent": "patient",
                        "could_be_better": f"Terrible, the worst service ever, avoid ({n}).",
                    },
                )
            except (OSError, RuntimeError) as error:
                status, location = 0, f"{type(error).__name__}: {error}"[:120]
            reference = reference_of(location) if status == 302 else None
            with lock:
                if reference:
                    references.append(reference)
                outcome = "refused" if status == 429 else "stored" if reference else None
                outcomes[outcome or (location if status == 0 else f"HTTP {status}")] += 1

    def person(address: str, n: int) -> None:
        browser = Browser(site.port, address)
        hidden = fetch_form(browser, path)
        time.sleep(4)  # reading and answering: a person takes far longer, 4 s is the bench's
        fields = {
            "rating": "1",
            "respondent": "patient",
            "what_was_good": WORDS[n],
        }
        status, location, _ = browser.request("POST", path, hidden | fields)
        people[address] = reference_of(location) if status == 302 else f"HTTP {status}"

    started = time.monotonic()
    workers = [threading.Thread(target=attacker) for _ in range(threads)]
    humans = [threading.Thread(target=person, args=(a, n)) for n, a in enumerate(PEOPLE)]
    for thread in workers + humans:
        thread.start()
    for thread in workers + humans:
        thread.join(timeout=600)
    elapsed = time.monotonic() - started

    status_of = dict(
        site.query(
            "SELECT reference, status FROM feedback_experience WHERE reference = ANY(%s)",
            references + [r for r in people.values() if r],
        )
    )
    flood = Counter(status_of.get(r, "missing") for r in references)
    legitimate = {address: status_of.get(r or "", "not stored") for address, r in people.items()}
    after = public_figures(site, slug)
    return {
        "service": slug,
        "posts": posts,
        "seconds": round(elapsed, 1),
        "counted": flood["counted"],
        "held_back": flood["held_back"],
        "refused": outcomes["refused"],
        "other": {k: v for k, v in outcomes.items() if k not in ("stored", "refused")},
        "missing": flood["missing"],
        "held_back_reasons": dict(
            site.query(
                "SELECT held_back_reason, count(*) FROM feedback_experience "
                "WHERE reference = ANY(%s) GROUP BY 1",
                references,
            )
        ),
        "legitimate": legitimate,
        "public_before": before,
        "public_after": after,
    }


def flood_problems(result: dict[str, Any]) -> list[str]:
    problems = []
    if result["counted"]:
        problems.append(f"{result['counted']} flood posts were counted in the figures")
    if result["missing"] or result["other"]:
        problems.append(f"flood posts lost or failing: {result['missing']} {result['other']}")
    if result["counted"] + result["held_back"] + result["refused"] != result["posts"]:
        problems.append("accepted + held back + refused is not every post")
    not_counted = {a: s for a, s in result["legitimate"].items() if s != "counted"}
    if not_counted or len(result["legitimate"]) != len(PEOPLE):
        problems.append(f"legitimate submissions not stored and counted: {not_counted}")
    (people_before, _), (people_after, _) = result["public_before"], result["public_after"]
    if people_before is not None and people_after != people_before + len(PEOPLE):
        problems.append(
            f"public count went from {people_before} to {people_after}, "
            f"not by the {len(PEOPLE)} legitimate submissions only"
        )
    return problems


# --- Attack 2: an oversized anonymous body -----------------------------------------------------


def oversized_post(site: Site, declared: int = 300_000_000) -> dict[str, Any]:
    """Declares a 300 MB body, sends 64 KB of it, and times how soon the server answers."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", site.port), timeout=TIMEOUT) as raw:
        raw.sendall(
            (
                f"POST /share/services/x/ HTTP/1.1\r\nHost: 127.0.0.1:{site.port}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {declared}\r\n\r\n"
            ).encode()
            + b"a" * 65_536
        )
        answer = raw.recv(4096).decode("latin-1")
    status = int(answer.split(" ", 2)[1]) if answer.startswith("HTTP/") else None
    return {
        "declared_bytes": declared,
        "status": status,
        "ms": round(1000 * (time.monotonic() - started)),
    }


# --- Attack 3: guessing a staff password ------------------------------------------------------

SIGN_IN = "/staff/sign-in/"
SIGNED_IN = "signed in"
TARGET, OTHER = "demo-officer", "demo-analyst"
GUESSER, TARGET_ELSEWHERE, COLLEAGUE = "127.0.0.31", "127.0.0.32", "127.0.0.33"


def set_passwords(site: Site, passwords: dict[str, str]) -> None:
    """The demo gives staff no password on the production profile; give these two one."""
    code = (
        "from patientvoice.people.models import User\n"
        f"for username, password in {passwords!r}.items():\n"
        "    user = User.objects.get(username=username)\n"
        "    user.set_password(password)\n"
        "    user.save()\n"
    )
    env = production_env(site.database_url, Path(tempfile.gettempdir()), site.port)
    manage(env, "shell", "-c", code)


def sign_in(browser: Browser, username: str, password: str) -> str:
    """'signed in', 'wrong password' (the form again) or 'locked out' (429)."""
    fields = fetch_form(browser, SIGN_IN) | {"username": username, "password": password}
    status, location, _ = browser.request("POST", SIGN_IN, fields)
    if status == 302 and not location.startswith(SIGN_IN):
        staff_page = browser.request("GET", location)[0]
        return SIGNED_IN if staff_page == 200 else f"redirected, then {staff_page}"
    return {200: "wrong password", 429: "locked out"}.get(status, f"HTTP {status}")


def guess_passwords(site: Site, guesses: int = 50) -> dict[str, Any]:
    passwords = {TARGET: secrets.token_urlsafe(16), OTHER: secrets.token_urlsafe(16)}
    set_passwords(site, passwords)
    guesser = Browser(site.port, GUESSER)
    answers = [
        sign_in(guesser, TARGET, f"guess-{n}-{secrets.token_hex(4)}") for n in range(guesses)
    ]
    return {
        "account": TARGET,
        "guesses": guesses,
        "wrong_password": answers.count("wrong password"),
        "locked_out": answers.count("locked out"),
        "signed_in": answers.count(SIGNED_IN),
        "right_password_after": sign_in(guesser, TARGET, passwords[TARGET]),
        "right_password_elsewhere": sign_in(
            Browser(site.port, TARGET_ELSEWHERE), TARGET, passwords[TARGET]
        ),
        "colleague_elsewhere": sign_in(Browser(site.port, COLLEAGUE), OTHER, passwords[OTHER]),
    }


def guess_problems(result: dict[str, Any]) -> list[str]:
    problems = []
    if result["signed_in"] or result["right_password_after"] == SIGNED_IN:
        problems.append("a password guessed after 50 wrong ones signed in")
    if result["right_password_elsewhere"] == SIGNED_IN:
        problems.append("the locked account signed in from another address")
    if not result["locked_out"]:
        problems.append("50 wrong passwords never locked the account")
    if result["colleague_elsewhere"] != SIGNED_IN:
        problems.append(
            f"another member of staff could not sign in: {result['colleague_elsewhere']}"
        )
    return problems


def guess_report(result: dict[str, Any]) -> None:
    print(
        f"Password guessing: {result['guesses']} wrong passwords for {result['account']} "
        f"from {GUESSER}"
    )
    print(f"  answered 'wrong password': {result['wrong_password']}")
    print(f"  refused, locked out (429): {result['locked_out']}")
    print(f"  signed in:                 {result['signed_in']}")
    print(f"  then the right password from {GUESSER}: {result['right_password_after']}")
    print(f"  the right password from {TARGET_ELSEWHERE}: {result['right_password_elsewhere']}")
    print(f"  {OTHER} from {COLLEAGUE} while the lockout lasts: {result['colleague_elsewhere']}")


# --- Report ------------------------------------------------------------------------------------


def oversized_problems(result: dict[str, Any]) -> list[str]:
    return (
        [] if result["status"] == 413 else [f"the oversized POST got {result['status']}, not 413"]
    )


def flood_report(flood: dict[str, Any]) -> None:
    print(
        f"Share-form flood: {flood['posts']} posts from {ATTACKER} to "
        f"/share/services/{flood['service']}/ in {flood['seconds']} s"
    )
    print(f"  counted (in figures): {flood['counted']}")
    print(f"  held back for review: {flood['held_back']}  {flood['held_back_reasons']}")
    print(f"  refused (429):        {flood['refused']}")
    if flood["other"]:
        print(f"  other answers:        {flood['other']}")
    stored = sum(1 for s in flood["legitimate"].values() if s == "counted")
    print(
        f"  legitimate submissions from {len(PEOPLE)} other addresses at the same time, "
        f"stored and counted: {stored} of {len(PEOPLE)}"
    )
    (b_people, b_good), (a_people, a_good) = flood["public_before"], flood["public_after"]
    print(
        f"  public figures: {b_people} people, {b_good}% good before; "
        f"{a_people} people, {a_good}% good after"
    )


def oversized_report(oversized: dict[str, Any]) -> None:
    print(
        f"Oversized anonymous POST ({oversized['declared_bytes']:,} bytes declared): "
        f"HTTP {oversized['status']} after {oversized['ms']} ms"
    )


# Each attack: its name, how to run it against the site, what counts as a failure, its report.
ATTACKS: list[tuple[str, Any, Any, Any]] = [
    ("flood_share_form", flood_share_form, flood_problems, flood_report),
    ("oversized_post", oversized_post, oversized_problems, oversized_report),
    ("guess_passwords", guess_passwords, guess_problems, guess_report),
]


def print_report(result: dict[str, Any], problems: list[str]) -> None:
    for name, _run, _problems, report in ATTACKS:
        if name in result:
            report(result[name])
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print("All checks passed.")


def run_attacks(site: Site, only: list[str]) -> tuple[dict[str, Any], list[str]]:
    result: dict[str, Any] = {}
    problems: list[str] = []
    for name, run, check, _report in ATTACKS:
        if only and name not in only:
            continue
        log(f"Attack: {name}")
        result[name] = run(site)
        problems += check(result[name])
    return result, problems


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="patientvoice_abuse_bench")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--attack", action="append", choices=[name for name, *_ in ATTACKS], help="only this one"
    )
    config = parser.parse_args(argv)
    if "bench" not in config.database:
        parser.error("--database must contain 'bench': it is dropped and recreated")
    return config


def main(argv: list[str]) -> int:
    config = parse_args(argv)
    try:
        pg = loopback_url(config.pg)
        port = free_port()
        with tempfile.TemporaryDirectory(prefix="patientvoice-abuse-") as scratch:
            database_url = f"{pg}/{config.database}"
            env = production_env(database_url, Path(scratch) / "static", port)
            log(f"Recreating database {config.database}; migrate, demo, collectstatic")
            recreate_database(pg, config.database)
            manage(env, "migrate", "--noinput")
            manage(env, "demo", "--allow-production")
            manage(env, "collectstatic", "--noinput", "--verbosity=0")
            site = Site(port, database_url)
            with open(Path(scratch) / "gunicorn.log", "w") as server_log:
                server = start_site(env, port, config.workers, server_log)
                try:
                    result, problems = run_attacks(site, config.attack or [])
                finally:
                    server.terminate()
                    server.wait(timeout=30)
            tracebacks = (Path(scratch) / "gunicorn.log").read_text().count("Traceback")
            result["server_tracebacks"] = tracebacks
            if tracebacks:
                problems.append(f"the server logged {tracebacks} tracebacks")
    except (SetupError, psycopg.Error, subprocess.TimeoutExpired, RuntimeError) as error:
        log(f"SETUP FAILED: {error}")
        return 2
    return finish(result, problems, config.json, print_report)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
