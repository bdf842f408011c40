"""Cache backends: a database cache whose counters are safe to share between processes, and
Django's Redis cache without its cost per call.

The embedded default runs several processes (the web server, the worker) with no cache server,
and the rate limits on the public forms count in the cache. Django's database cache increments
by reading, adding and writing back in separate statements, so two processes counting at once
lose a count, and it resets the entry's expiry on every increment, so a ten-minute window
would become the cache's default five minutes. `incr` here locks the row, adds, and keeps the
expiry: a counter read on one process is the one every process sees.
"""

from __future__ import annotations

import base64
import pickle
from collections.abc import Sequence
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.db import connections, models, router, transaction
from django.utils import timezone


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        qn = connection.ops.quote_name
        table = qn(self._table)  # type: ignore[attr-defined]
        # SQLite takes the write lock when the transaction starts (transaction_mode IMMEDIATE
        # in settings), PostgreSQL locks the row: either way no other writer reads in between.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {qn('value')}, {qn('expires')} FROM {table} "  # noqa: S608 (quoted names)
                f"WHERE {qn('cache_key')} = %s{lock}",
                [key],
            )
            row = cursor.fetchone()
            if row is None or self._expired(row[1], connection):
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 (our own rows)
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {qn('value')} = %s WHERE {qn('cache_key')} = %s",  # noqa: S608
                [encoded, key],
            )
        return int(value)

    @staticmethod
    def _expired(expires: Any, connection: Any) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        return bool(expires < timezone.now())


class RedisCacheClient(DjangoRedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool.

    Django builds a new redis.Redis for every cache operation, and redis-py fills a table of
    some 170 response callbacks in each: a fraction of a millisecond, six times for each post
    of a public form (three rate-limit counters). A redis.Redis is safe to share between
    threads; the connections stay in the pool as before.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count_and_read(
        self, counters: Sequence[tuple[str, int]], reads: Sequence[str] = ()
    ) -> tuple[list[int], list[Any]]:
        """Add one to each counter and read each key of `reads`, in one round trip.

        A counter is (key, seconds): a new one starts at 1 and expires after `seconds`, as
        `add(key, 1, seconds)` would; an existing one keeps its expiry, as `incr` does. Django's
        add-then-incr takes three round trips for a counter that exists (SET NX, EXISTS,
        INCR). The counts are read as `get` reads an integer, so either way of counting sees
        the other's. Returns (the counts, the values read or None).
        """
        keys = [(self.make_and_validate_key(key), seconds) for key, seconds in counters]
        client = self._cache.get_client(write=True)  # type: ignore[attr-defined]
        with client.pipeline(transaction=True) as pipe:
            for key, seconds in keys:
                pipe.incr(key)
                pipe.expire(key, seconds, nx=True)
            for key in reads:
                pipe.get(self.make_and_validate_key(key))
            results = pipe.execute()
        counts = [int(n) for n in results[0 : 2 * len(keys) : 2]]
        loads = self._cache._serializer.loads  # type: ignore[attr-defined]
        values = [None if raw is None else loads(raw) for raw in results[2 * len(keys) :]]
        return counts, values
