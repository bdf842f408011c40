"""The response summary: FFT answers and comments per service, channel and month.

The insight page adds up these few thousand rows instead of reading a million records. Every
write that adds experiences, or moves one to another month, changes the summary in its own
transaction and by increments, so concurrent writers add up rather than overwrite each other.
`rebuild_response_summary` recomputes it from the records (running it twice changes nothing),
for anything written another way. See docs/decisions/0004-insight-summary.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import connection, models, transaction
from django.db.models import Case, Count, IntegerField, Max, Min, Value, When
from django.utils import timezone

from patientvoice.feedback.models import Comment, Experience, ResponseSummary

# organisation id, service id, channel, month
Cell = tuple[int, int, str, datetime.date]
# Rating 1 to 6, in order, then the number of comments.
RESPONSE_FIELDS = ("very_good", "good", "neither", "poor", "very_poor", "dont_know", "comments")
CELL_FIELDS = ("organisation", "service", "channel", "month")


def since(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the site's time zone.

    Filters compare `submitted_at` with this rather than `submitted_at__date`, which converts
    every row's time zone before comparing and so cannot use an index.
    """
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the month `moment` falls in, in the site's time zone: the same month
    `month_index` gives in SQL."""
    return timezone.localtime(moment).date().replace(day=1)


def month_index(field: str, months: list[datetime.date]) -> Case:
    """Which of `months` the moment in `field` falls in, as an index into the list (anything
    after the last month's start counts as the last month).

    Comparing with each month's first moment is exact in the site's time zone, works the same
    on every database, and is far cheaper than truncating every row's converted timestamp
    (on SQLite that is a Python function call per row).
    """
    return Case(
        *(
            When(**{f"{field}__gte": since(month)}, then=Value(i))
            for i, month in reversed(list(enumerate(months)))
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    index, end = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index, end + 1)]


def tally(
    rows: Iterable[tuple[int, int, str, datetime.datetime, int | None, int]],
) -> dict[Cell, list[int]]:
    """Summary counts of (organisation, service, channel, submitted_at, rating, comments)."""
    cells: dict[Cell, list[int]] = defaultdict(lambda: [0] * len(RESPONSE_FIELDS))
    # An import gives every record of a day the same moment: convert each moment once (a time
    # zone conversion per row was a quarter of a million-row import's time).
    months: dict[datetime.datetime, datetime.date] = {}
    for organisation, service, channel, submitted_at, rating, comments in rows:
        month = months.get(submitted_at)
        if month is None:
            month = months[submitted_at] = month_of(submitted_at)
        cell = cells[organisation, service, channel, month]
        if rating:
            cell[rating - 1] += 1
        cell[-1] += comments
    return cells


def difference(
    after: Mapping[tuple, Sequence[int]], before: Mapping[tuple, Sequence[int]]
) -> dict[tuple, list[int]]:
    changed: dict[tuple, list[int]] = {}
    for key in after.keys() | before.keys():
        new, old = after.get(key), before.get(key)
        width = len(new if new is not None else old)  # type: ignore[arg-type]
        delta = [(new[i] if new else 0) - (old[i] if old else 0) for i in range(width)]
        if any(delta):
            changed[key] = delta
    return changed


def add_to_summary(
    model: type[models.Model],
    key_fields: Sequence[str],
    value_fields: Sequence[str],
    deltas: Mapping[tuple, Sequence[int]],
) -> None:
    """Add `deltas` to the summary rows they key, creating the rows that do not exist yet.

    One INSERT ... ON CONFLICT DO UPDATE per 500 rows (PostgreSQL and SQLite both have it): the
    increment is atomic, so two transactions changing the same cell both count, and the
    second waits for the first instead of failing on the unique constraint.
    """
    # In key order, so two writers lock the rows they share in the same order.
    changed = sorted((key, values) for key, values in deltas.items() if any(values))
    if not changed:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    keys = [qn(_column(model, f)) for f in key_fields]
    values = [qn(_column(model, f)) for f in value_fields]
    update = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in values)
    row = "(" + ", ".join(["%s"] * (len(keys) + len(values))) + ")"
    it = iter(changed)
    with connection.cursor() as cursor:
        while chunk := list(islice(it, 500)):
            params: list[Any] = []
            for key, counts in chunk:
                params += [_adapt(part) for part in key]
                params += list(counts)
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(keys + values)}) "  # noqa: S608 (names quoted, values bound)
                f"VALUES {', '.join([row] * len(chunk))} "
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {update}",
                params,
            )


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def _adapt(value: object) -> object:
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def add_responses(cells: Mapping[Cell, Sequence[int]]) -> None:
    add_to_summary(ResponseSummary, CELL_FIELDS, RESPONSE_FIELDS, cells)


def count_new_experiences(experiences: Sequence[Experience], comments: Sequence[Comment]) -> None:
    """Add experiences just created (and their comments) to the summary. Only counted ones may
    be passed: a held-back record counts when it is released (`responses_changing`)."""
    per_experience: dict[int, int] = defaultdict(int)
    for comment in comments:
        per_experience[comment.experience_id] += 1
    add_responses(
        tally(
            (
                e.organisation_id,
                e.service_id,
                e.channel,
                e.submitted_at,
                e.rating,
                per_experience[e.pk],
            )
            for e in experiences
        )
    )


def counted(model: type[models.Model], prefix: str = "") -> dict[str, str]:
    """A filter to the experiences that count in figures (not held back for review).

    Empty for a migration's historical model from before held-back records existed (migration
    insight 0005 rebuilds the summaries with one): then every record counted."""
    experience = model._meta.apps.get_model("feedback", "Experience")
    if not any(f.name == "status" for f in experience._meta.get_fields()):
        return {}
    return {f"{prefix}status": "counted"}


def _counts_of(experience_ids: Sequence[int]) -> dict[Cell, list[int]]:
    rows = (
        Experience.objects.filter(pk__in=experience_ids, **counted(Experience))
        .annotate(n=Count("comments"))
        .values_list("organisation_id", "service_id", "channel", "submitted_at", "rating", "n")
        .order_by()
    )
    return tally(rows)


@contextmanager
def responses_changing(experience_ids: Sequence[int]) -> Iterator[None]:
    """Keep the summary right across a change to these experiences (their date, service,
    channel, rating or comments): what they counted for is taken out and what they count for
    afterwards put in, in one transaction with the change."""
    with transaction.atomic():
        before = _counts_of(experience_ids)
        yield
        add_responses(difference(_counts_of(experience_ids), before))


def lock_summary(model: type[models.Model]) -> None:
    """Make writers that change the summary wait while it is rebuilt. Without this, a write
    committed between the rebuild's read and its commit would be counted twice or not at all.
    SQLite needs nothing: one writer at a time holds the whole database."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN EXCLUSIVE MODE"
            )


def clear_for_rebuild(summary: type[models.Model], registry: Apps) -> list[datetime.date]:
    """Lock and empty a summary table before it is rebuilt; returns the months to rebuild."""
    lock_summary(summary)
    summary._default_manager.all().delete()
    return record_months(registry)


def record_months(registry: Apps = global_apps) -> list[datetime.date]:
    """Every month from the earliest record's to the latest's."""
    experiences = registry.get_model("feedback", "Experience").objects
    span = experiences.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    if span["first"] is None:
        return []
    return months_between(month_of(span["first"]), month_of(span["last"]))


@transaction.atomic
def rebuild_response_summary(registry: Apps = global_apps) -> int:
    """Recompute the whole response summary from the records; returns how many rows it has.

    `registry` is a migration's historical apps when migration insight 0005 runs this.
    """
    summary = registry.get_model("feedback", "ResponseSummary")
    months = clear_for_rebuild(summary, registry)
    if not months:
        return 0
    cells: dict[Cell, list[int]] = defaultdict(lambda: [0] * len(RESPONSE_FIELDS))
    experience = registry.get_model("feedback", "Experience")
    ratings = (
        experience.objects.filter(rating__isnull=False, **counted(experience))
        .annotate(month=month_index("submitted_at", months))
        .values_list("organisation_id", "service_id", "channel", "month", "rating")
        .annotate(n=Count("*"))
        .order_by()
    )
    for organisation, service, channel, month, rating, n in ratings:
        cells[organisation, service, channel, months[month]][rating - 1] += n
    comments = (
        registry.get_model("feedback", "Comment")
        .objects.filter(**counted(experience, "experience__"))
        .annotate(month=month_index("experience__submitted_at", months))
        .values_list(
            "experience__organisation_id", "experience__service_id", "experience__channel", "month"
        )
        .annotate(n=Count("*"))
        .order_by()
    )
    for organisation, service, channel, month, n in comments:
        cells[organisation, service, channel, months[month]][-1] += n
    summary.objects.bulk_create(
        (
            summary(
                organisation_id=organisation,
                service_id=service,
                channel=channel,
                month=month,
                **dict(zip(RESPONSE_FIELDS, counts, strict=True)),
            )
            for (organisation, service, channel, month), counts in cells.items()
        ),
        batch_size=1000,
    )
    return len(cells)
