"""Synthetic feedback for benchmarks and demos: realistic volumes, seasonality, services of
different sizes and a few real deteriorations, with comment texts drawn from the shipped FFT
data set so that text analysis has real language to work on.

Records are keyed by (generator source, row number), so running the generator again with the
same seed adds nothing, and a larger --rows adds only the new rows.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.utils import timezone

from patientvoice.directory.models import Service
from patientvoice.feedback.demo import fft_comments
from patientvoice.feedback.models import Comment, Experience, ImportSource
from patientvoice.feedback.services import enqueue_comment_tasks
from patientvoice.feedback.summary import count_new_experiences

CHUNK = 5000
SOURCE_NAME = "Synthetic feedback generator"


@dataclass(frozen=True)
class Pools:
    """Real comments grouped by the rating their author gave."""

    positive: list[tuple[str, str]]
    negative: list[tuple[str, str]]

    @classmethod
    def load(cls) -> Pools:
        positive: list[tuple[str, str]] = []
        negative: list[tuple[str, str]] = []
        for rating, question, text in fft_comments():
            kind = (
                "could_be_better"
                if ("improve" in question or "better" in question)
                else ("what_was_good")
            )
            (negative if rating in (3, 4, 5) else positive).append((kind, text))
        return cls(positive, negative)


def _rating(rng: random.Random, p_good: float) -> int:
    roll = rng.random()
    if roll < p_good:
        return 1 if rng.random() < 0.75 else 2
    return rng.choices([3, 4, 5, 6], weights=[3, 3, 3, 1])[0]


def _p_good(service_index: int, deteriorating: set[int], months_ago: float) -> float:
    # A winter dip (worst in January) on top of a service's own level.
    month = (timezone.localdate() - datetime.timedelta(days=30 * months_ago)).month
    winter = 0.04 * math.cos((month - 1) / 12 * 2 * math.pi)
    level = 0.86 - 0.02 * (service_index % 4) - winter
    if service_index in deteriorating and months_ago < 4:
        level -= 0.25 * (4 - months_ago) / 4  # a real, growing deterioration
    return max(0.3, min(0.97, level))


def _rows(
    rng: random.Random, services: list[Service], start: int, count: int, months: int, pools: Pools
) -> Iterator[tuple[int, Experience, list[tuple[str, str]]]]:
    weights = [1 + 9 * (i % 5 == 0) + 3 * (i % 3 == 0) for i in range(len(services))]
    # Cumulative once, not per row: the same draws as `weights=` (choices accumulates them).
    cumulative = list(itertools.accumulate(weights))
    indexes = range(len(services))
    deteriorating = {1, len(services) // 2}
    now = timezone.now()
    for number in range(start, start + count):
        index = rng.choices(indexes, cum_weights=cumulative)[0]
        months_ago = rng.random() * months
        rating = _rating(rng, _p_good(index, deteriorating, months_ago))
        pool = pools.negative if rating in (3, 4, 5) else pools.positive
        comments = [rng.choice(pool)] if rng.random() < 0.8 else []
        when = now - datetime.timedelta(days=30.44 * months_ago)
        experience = Experience(
            service=services[index],
            organisation_id=services[index].organisation_id,
            rating=rating,
            happened_on=when.date(),
            submitted_at=when,
            respondent=Experience.Respondent.PATIENT,
            channel=Experience.Channel.IMPORT,
            consent_method=Experience.ConsentMethod.SOURCE,
            external_id=f"gen-{number}",
        )
        yield number, experience, comments


CommentHook = Callable[[list[Comment]], None]


def generate_feedback(
    rows: int,
    seed: int = 1,
    months: int = 24,
    classify: bool = True,
    on_comments: CommentHook | None = None,
) -> int:
    """Make sure the first `rows` synthetic records exist; returns how many were added.

    `on_comments` is called with each chunk's new comments inside the chunk's transaction, so a
    caller can store more about them (a benchmark stores known themes instead of classifying
    every row) without this app knowing about the apps that read comments.
    """
    services = list(Service.objects.order_by("pk"))
    if not services:
        raise ValueError("There are no services: load the demo world first (patientvoice demo)")
    owner = services[0].organisation
    source, _ = ImportSource.objects.get_or_create(organisation=owner, name=SOURCE_NAME)
    have = Experience.objects.filter(source=source).count()
    if have >= rows:
        return 0
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    # Draw (and discard) the rows that exist, so row N is the same whenever it is generated.
    pools = Pools.load()
    added = 0
    generated = _rows(rng, services, 0, rows, months, pools)
    for _ in range(have):
        next(generated)
    batch: list[tuple[Experience, list[tuple[str, str]]]] = []
    for _number, experience, comments in generated:
        experience.source = source
        batch.append((experience, comments))
        if len(batch) == CHUNK:
            added += _write(batch, classify, on_comments)
            batch = []
    if batch:
        added += _write(batch, classify, on_comments)
    return added


@transaction.atomic
def _write(
    batch: list[tuple[Experience, list[tuple[str, str]]]],
    classify: bool,
    on_comments: CommentHook | None,
) -> int:
    experiences = Experience.objects.bulk_create([e for e, _ in batch])
    comments = Comment.objects.bulk_create(
        [
            Comment(experience=experience, question=question, text=text)
            for experience, (_e, chosen) in zip(experiences, batch, strict=True)
            for question, text in chosen
        ]
    )
    count_new_experiences(experiences, comments)
    if on_comments is not None:
        on_comments(comments)
    if classify:
        transaction.on_commit(partial(enqueue_comment_tasks, [c.pk for c in comments]))
    return len(experiences)
