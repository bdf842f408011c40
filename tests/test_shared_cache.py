"""The cache the rate limits count in: every process sees one count, and django-ratelimit's
checks accept the caches the settings choose (the database table by default, Redis in
production)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django_ratelimit.checks import check_caches

DATABASE_CACHE = {"BACKEND": "patientvoice.cache.DatabaseCache", "LOCATION": "pv_test_cache"}


@pytest.fixture
def database_cache(transactional_db: None) -> Any:
    with override_settings(CACHES={"default": DATABASE_CACHE}):
        call_command("createcachetable", verbosity=0)
        yield caches["default"]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE pv_test_cache")


def test_an_increment_keeps_the_entry_s_expiry(database_cache: Any) -> None:
    database_cache.add("counter", 1, 600)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM pv_test_cache")
        before = cursor.fetchone()

    assert database_cache.incr("counter") == 2
    assert database_cache.incr("counter", 3) == 5

    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM pv_test_cache")
        assert cursor.fetchone() == before
    with pytest.raises(ValueError, match="not found"):
        database_cache.incr("nothing-here")


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="threads share one in-memory test database"
)
def test_increments_from_many_connections_at_once_all_count(database_cache: Any) -> None:
    database_cache.add("counter", 0, 600)

    def add_fifty() -> None:
        try:
            for _ in range(50):
                database_cache.incr("counter")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add_fifty) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert database_cache.get("counter") == 200


@pytest.mark.parametrize(
    "cache",
    [
        DATABASE_CACHE,
        {"BACKEND": "patientvoice.cache.RedisCache", "LOCATION": "redis://x/0"},
    ],
)
def test_django_ratelimit_accepts_the_caches_the_settings_choose(cache: dict[str, str]) -> None:
    # The deployment settings silence only the warning that a backend is not on its list.
    from patientvoice import settings as deployment

    with override_settings(CACHES={"default": cache}):
        found = check_caches(None)

    assert [m.id for m in found if m.id not in deployment.SILENCED_SYSTEM_CHECKS] == []


REDIS_CACHE = {"BACKEND": "patientvoice.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/14"}


def test_the_redis_cache_counts_through_one_client_per_server() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_CACHE["LOCATION"], socket_timeout=2).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    with override_settings(CACHES={"default": REDIS_CACHE}):
        cache = caches["default"]
        cache.delete("counter")

        assert cache.add("counter", 1, 60)
        assert cache.incr("counter") == 2
        assert cache.incr("counter", 3) == 5
        assert cache.get("counter") == 5
        clients = {id(cache._cache.get_client(write=True)) for _ in range(3)}  # type: ignore[attr-defined]
        assert len(clients) == 1
        cache.delete("counter")


@pytest.fixture
def redis_counters(settings: Any) -> Any:
    """The rate limits count in Redis (database 14), empty before and after."""
    import redis

    try:
        redis.Redis.from_url(REDIS_CACHE["LOCATION"], socket_timeout=2).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {"default": REDIS_CACHE}
    caches["default"].clear()
    yield
    caches["default"].clear()


def test_on_redis_the_share_form_counts_a_post_once_where_django_ratelimit_reads_it(
    client: Any, world: Any, settings: Any, redis_counters: None
) -> None:
    from django.test import RequestFactory
    from django_ratelimit.core import get_usage

    from patientvoice.feedback.models import Experience
    from tests.feedback.test_share_view import URL, valid_form

    settings.PATIENTVOICE_RATELIMIT = {
        "client_hold": "3/10m",
        "client_refuse": "4/10m",
        "scope_hold": "100/h",
    }
    address = "198.51.100.7"

    statuses = [
        client.post(URL, valid_form(what_was_good=f"Post {'x' * n}"), REMOTE_ADDR=address)
        for n in range(5)
    ]

    assert [r.status_code for r in statuses] == [302, 302, 302, 302, 429]
    assert list(Experience.objects.values_list("status", "held_back_reason").order_by("pk")) == [
        ("counted", ""),
        ("counted", ""),
        ("counted", ""),
        ("held_back", "busy_client"),
    ]
    request = RequestFactory().post(URL, REMOTE_ADDR=address)
    usage = get_usage(request, group="share:refuse", key="ip", rate="4/10m")
    assert usage is not None and usage["count"] == 5


def test_on_redis_an_address_that_filled_the_honeypot_has_its_next_posts_held_back(
    client: Any, world: Any, redis_counters: None
) -> None:
    from patientvoice.feedback.models import Experience
    from tests.feedback.test_share_view import URL, valid_form

    address = "198.51.100.8"

    client.post(URL, valid_form(website="https://spam.example"), REMOTE_ADDR=address)
    client.post(URL, valid_form(what_was_good="A calm and kind ward."), REMOTE_ADDR=address)

    assert list(Experience.objects.values_list("held_back_reason", flat=True).order_by("pk")) == [
        "honeypot",
        "busy_client",
    ]
