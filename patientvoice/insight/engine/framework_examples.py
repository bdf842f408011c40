"""Example phrases quoted in the v7 framework, as extra training rows for rare themes.

The framework gives, for each sub-category, a few dozen short quoted examples. For themes with
a handful of labelled comments these are most of what there is to learn from. Only sub-
categories that kept their v6 name are used: where v7 merged several v6 labels we cannot tell
which v6 label an example belongs to.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from patientvoice.insight.engine.data import FRAMEWORK_CSV, Example, load_theme_groups

# A quoted example: straight or curly quotes, at least a few characters long.
_QUOTED = re.compile(r"['‘’\"]\s*([^'‘’\"]{4,}?)\s*['‘’\"](?=\s*[,.\n]|\s*$)")
_PLACEHOLDER = re.compile(r"\[name\]|xxxx", re.IGNORECASE)


def framework_examples(path: Path = FRAMEWORK_CSV) -> list[Example]:
    same_name = {
        label
        for label, group in load_theme_groups().items()
        if group.v7_subcategory == label and group.basis.startswith("same name")
    }
    examples: list[Example] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            label = row["subcategory"]
            if label not in same_name or label in {"Labelling not possible", "Not assigned"}:
                continue
            phrases = {
                _PLACEHOLDER.sub("them", p).strip()
                for p in _QUOTED.findall(row["longer_examples"] + "\n" + row["examples"])
            }
            examples += [
                Example(text=p, question="", rating=None, labels=(label,))
                for p in sorted(phrases)
                if len(p.split()) >= 2
            ]
    return examples
