"""Who is speaking and who is missing: respondents against an area's population, and FFT rates
weighted (by raking) to the population, shown beside the unweighted ones."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import TextIO

import numpy as np
from django.db import transaction
from django.db.models import QuerySet

from patientvoice.csvfiles import whole_number
from patientvoice.directory.models import Area
from patientvoice.feedback.models import Experience
from patientvoice.insight.models import PopulationCount
from patientvoice.insight.stats import (
    GroupRepresentation,
    RakingResult,
    WeightedFftRates,
    rake,
    representation,
    weighted_fft_rates,
)
from patientvoice.people.models import EqualityMonitoring

NOT_STATED = "Not stated"
# NHS Data Dictionary ethnic category codes grouped as the census groups them.
ETHNIC_GROUPS = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian or Asian British"),
    **dict.fromkeys("MNP", "Black or Black British"),
    **dict.fromkeys("RS", "Other ethnic group"),
}
CATEGORIES: dict[str, list[str]] = {
    PopulationCount.Dimension.AGE_BAND: [
        v for v in EqualityMonitoring.AgeBand.values if v != "not_said"
    ],
    PopulationCount.Dimension.SEX: ["female", "male"],
    PopulationCount.Dimension.ETHNIC_GROUP: sorted(set(ETHNIC_GROUPS.values())),
    # Index of Multiple Deprivation quintiles, 1 most deprived.
    PopulationCount.Dimension.DEPRIVATION: ["1", "2", "3", "4", "5"],
}


# More people than any area holds (England has about 57 million): a count above it is a mistake,
# and would not fit the database's integer column.
MAX_POPULATION_COUNT = 100_000_000


class PopulationFileError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@transaction.atomic
def replace_population(area: Area, handle: TextIO) -> int:
    """Replace an area's population counts from a CSV of dimension,category,count.

    Every line is checked first; a file with any bad line changes nothing.
    """
    try:
        return _replace_population(area, csv.DictReader(handle))
    except csv.Error as error:
        raise PopulationFileError([f"the file is not valid CSV: {error}"]) from None


def _replace_population(area: Area, reader: csv.DictReader[str]) -> int:
    if not reader.fieldnames or {"dimension", "category", "count"} - {
        f.strip().lower() for f in reader.fieldnames
    }:
        raise PopulationFileError(["line 1: the header must be dimension,category,count"])
    rows, errors, seen = [], [], set()
    for raw in reader:
        line = reader.line_num
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        dimension, category, count = row["dimension"], row["category"], row["count"]
        if dimension not in CATEGORIES:
            errors.append(
                f"line {line}: dimension {dimension!r} is not one of {', '.join(CATEGORIES)}"
            )
            continue
        if category not in CATEGORIES[dimension]:
            errors.append(
                f"line {line}: {dimension} category {category!r} is not one of "
                f"{', '.join(CATEGORIES[dimension])}"
            )
            continue
        number = whole_number(count)
        if number is None:
            errors.append(f"line {line}: count {count!r} is not a whole number")
            continue
        if number > MAX_POPULATION_COUNT:
            errors.append(
                f"line {line}: count {count} is more than {MAX_POPULATION_COUNT:,}, "
                "more people than any area holds"
            )
            continue
        if (dimension, category) in seen:
            errors.append(f"line {line}: {dimension} {category} appears twice")
            continue
        seen.add((dimension, category))
        rows.append(
            PopulationCount(area=area, dimension=dimension, category=category, count=number)
        )
    if errors or not rows:
        raise PopulationFileError(errors or ["the file has no counts"])
    PopulationCount.objects.filter(area=area).delete()
    PopulationCount.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class Representativeness:
    area: Area
    respondents: int
    groups: list[GroupRepresentation]
    raking: RakingResult | None
    unweighted: WeightedFftRates
    weighted: WeightedFftRates | None


def _population(area: Area) -> dict[str, dict[str, float]]:
    population: dict[str, dict[str, float]] = {}
    for row in PopulationCount.objects.filter(area=area):
        population.setdefault(row.dimension, {})[row.category] = row.count
    return population


def _label(value: str) -> str:
    return value if value and value != "not_said" else NOT_STATED


def assess(experiences: QuerySet[Experience], area: Area | None) -> Representativeness | None:
    """Compare the respondents in `experiences` who answered equality questions with the area's
    population; None when the area has no population reference."""
    if area is None:
        return None
    population = _population(area)
    if not population:
        return None
    rows = list(
        experiences.filter(equality__isnull=False, rating__isnull=False).values_list(
            "equality__age_band",
            "equality__sex",
            "equality__ethnicity",
            "equality__deprivation_quintile",
            "rating",
        )
    )
    if not rows:
        return Representativeness(area, 0, [], None, weighted_fft_rates([], []), None)
    age, sex, ethnicity, deprivation, rating = zip(*rows, strict=True)
    respondents = {
        "age_band": np.array([_label(v) for v in age]),
        "sex": np.array([_label(v) for v in sex]),
        "ethnic_group": np.array([ETHNIC_GROUPS.get(v, NOT_STATED) for v in ethnicity]),
        "deprivation_quintile": np.array([str(v) if v else NOT_STATED for v in deprivation]),
    }
    respondents = {k: v for k, v in respondents.items() if k in population}
    ratings = np.array(rating)
    raking = rake(respondents, population) if respondents else None
    unweighted = weighted_fft_rates(ratings, np.ones(len(ratings)))
    return Representativeness(
        area=area,
        respondents=len(rows),
        groups=list(representation(respondents, population).groups) if respondents else [],
        raking=raking,
        unweighted=unweighted,
        weighted=weighted_fft_rates(ratings, raking.weights) if raking else None,
    )
