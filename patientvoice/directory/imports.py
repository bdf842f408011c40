"""Importing organisations from an ODS-style CSV (GP practices, trusts, PCNs).

The whole file is checked before anything is written: a file with any bad row imports nothing,
and every bad row is reported with its line number, so the person fixing it sees all problems at
once rather than one per attempt.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction
from django.utils.text import slugify

from patientvoice.directory.models import Organisation, postcode_district

ODS_CODE = re.compile(r"^[A-Z0-9]{3,10}$")
# Column names as the ODS downloads and common exports spell them, mapped to ours.
ALIASES = {
    "ods code": "ods_code",
    "organisation code": "ods_code",
    "code": "ods_code",
    "name": "name",
    "organisation name": "name",
    "kind": "kind",
    "type": "kind",
    "postcode": "postcode",
    "address": "address",
    "parent ods code": "parent",
    "parent organisation code": "parent",
    "status": "status",
    "phone": "phone",
    "telephone": "phone",
}
KIND_WORDS = {label.lower(): value for value, label in Organisation.Kind.choices} | {
    value: value for value in Organisation.Kind.values
}


class ImportFailed(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped_inactive: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OrganisationRow:
    line: int
    ods_code: str
    name: str
    kind: str
    postcode: str
    address: str
    parent: str
    phone: str


def _header(fieldnames: Iterable[str] | None) -> dict[str, str]:
    mapping = {}
    for raw in fieldnames or []:
        key = ALIASES.get(raw.strip().lower())
        if key:
            mapping[raw] = key
    return mapping


def _parse_row(
    line: int, raw: dict[str, str], columns: dict[str, str], default_kind: str, errors: list[str]
) -> OrganisationRow | None:
    values = {ours: (raw.get(theirs) or "").strip() for theirs, ours in columns.items()}
    problems = []
    code = values.get("ods_code", "").upper()
    if not ODS_CODE.match(code):
        problems.append(
            f"ODS code {code!r} is not 3 to 10 letters and digits"
            if code
            else "ODS code is missing"
        )
    if not values.get("name"):
        problems.append("name is missing")
    kind_text = values.get("kind", "").lower() or default_kind
    kind = KIND_WORDS.get(kind_text, "")
    if not kind:
        problems.append(
            f"kind {kind_text!r} is not one of {', '.join(Organisation.Kind.values)}"
            if kind_text
            else "kind is missing (add a Kind column or use --kind)"
        )
    postcode = values.get("postcode", "").upper()
    if postcode and postcode_district(postcode) is None:
        problems.append(f"postcode {postcode!r} is not a UK postcode")
    if problems:
        errors.append(f"line {line}: " + "; ".join(problems))
        return None
    return OrganisationRow(
        line,
        code,
        values["name"],
        kind,
        postcode,
        values.get("address", ""),
        values.get("parent", "").upper(),
        values.get("phone", ""),
    )


def read_organisations(
    handle: TextIO, default_kind: str = ""
) -> tuple[list[OrganisationRow], int, list[str]]:
    """Parse and check every row; returns (rows, inactive rows skipped, errors)."""
    reader = csv.DictReader(handle)
    columns = _header(reader.fieldnames)
    missing = {"ods_code", "name"} - set(columns.values())
    if missing:
        names = ", ".join(sorted(missing))
        return (
            [],
            0,
            [
                f"line 1: the header has no column for {names} "
                f"(found: {', '.join(reader.fieldnames or [])})"
            ],
        )
    rows: list[OrganisationRow] = []
    errors: list[str] = []
    inactive = 0
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            errors.append(f"line {line}: has more fields than the header")
            continue
        status = next((raw[k] for k, v in columns.items() if v == "status"), "") or ""
        if status.strip().lower() in {"inactive", "closed", "c"}:
            inactive += 1
            continue
        row = _parse_row(line, raw, columns, default_kind, errors)
        if row is None:
            continue
        if row.ods_code in seen:
            errors.append(
                f"line {line}: ODS code {row.ods_code} already appears on line {seen[row.ods_code]}"
            )
            continue
        seen[row.ods_code] = line
        rows.append(row)
    known = set(
        Organisation.objects.filter(ods_code__in={r.parent for r in rows if r.parent}).values_list(
            "ods_code", flat=True
        )
    ) | set(seen)
    errors.extend(
        f"line {r.line}: parent ODS code {r.parent} is not in the file or the directory"
        for r in rows
        if r.parent and r.parent not in known
    )
    return rows, inactive, errors


def _unique_slug(name: str, code: str) -> str:
    base = slugify(name)[:180] or code.lower()
    slug = base
    if Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{code.lower()}"
    return slug


@transaction.atomic
def import_organisations(handle: TextIO, default_kind: str = "") -> ImportResult:
    """Create or update organisations by ODS code. Raises ImportFailed, writing nothing, when
    any row is bad."""
    rows, inactive, errors = read_organisations(handle, default_kind)
    if errors:
        raise ImportFailed(errors)
    result = ImportResult(skipped_inactive=inactive)
    by_code: dict[str, Organisation] = {}
    for row in rows:
        existing = Organisation.objects.filter(ods_code=row.ods_code).first()
        fields = {
            "name": row.name,
            "kind": row.kind,
            "postcode": row.postcode,
            "address": row.address,
            "phone": row.phone,
        }
        if existing:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            by_code[row.ods_code] = existing
            result.updated += 1
        else:
            by_code[row.ods_code] = Organisation.objects.create(
                ods_code=row.ods_code, slug=_unique_slug(row.name, row.ods_code), **fields
            )
            result.created += 1
    # Parents second, so a child may come before its parent in the file.
    for row in rows:
        if row.parent:
            parent = by_code.get(row.parent) or Organisation.objects.get(ods_code=row.parent)
            Organisation.objects.filter(pk=by_code[row.ods_code].pk).update(parent=parent)
    return result
