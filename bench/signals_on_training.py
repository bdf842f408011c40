"""How the pattern-based signals and personal-data detection behave on real comments.

    python bench/signals_on_training.py [--samples 15] [--json]

There is no labelled data to measure their precision or recall properly: the training file
flags three comments as safeguarding concerns and marks none as holding personal data. So this
reports what can be measured on the 6,437 real comments:

- recall on the three flagged safeguarding comments;
- how often each safeguarding and complaint reason fires (the triage load it would create);
- how often each kind of personal data is found;
- a reproducible sample of the findings of each kind, with the text around them, for a person
  to judge precision by eye (the closing note records such a reading).
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from patientvoice.insight.engine.data import load_training_set  # noqa: E402
from patientvoice.insight.engine.personal_data import find_personal_data  # noqa: E402
from patientvoice.insight.engine.signals import detect_signals  # noqa: E402
from patientvoice.insight.engine.text import is_non_answer  # noqa: E402

CONTEXT_CHARS = 50


def measure(samples: int, seed: int = 0) -> dict[str, Any]:
    examples = [e for e in load_training_set().examples if not is_non_answer(e.text)]
    flagged = [e for e in examples if e.safeguarding]
    caught = [e for e in flagged if any(s.kind == "safeguarding" for s in detect_signals(e.text))]
    reasons: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    seen: dict[str, list[str]] = collections.defaultdict(list)
    with_signal = collections.Counter[str]()
    for example in examples:
        signals = detect_signals(example.text)
        for kind in {s.kind for s in signals}:
            with_signal[kind] += 1
        for signal in signals:
            reasons[f"{signal.kind}: {signal.reason}"] += 1
            seen[f"{signal.kind}: {signal.reason}"].append(signal.evidence)
        for finding in find_personal_data(example.text):
            kinds[finding.kind] += 1
            low = max(0, finding.start - CONTEXT_CHARS)
            around = example.text[low : finding.end + CONTEXT_CHARS].replace("\n", " ")
            seen[f"personal data: {finding.kind}"].append(f"[{finding.text}] in …{around}…")
    rng = random.Random(seed)
    return {
        "comments": len(examples),
        "safeguarding_flagged_in_file": len(flagged),
        "safeguarding_flagged_caught": len(caught),
        "comments_with_signal": dict(with_signal),
        "signals_by_reason": dict(reasons.most_common()),
        "personal_data_by_kind": dict(kinds.most_common()),
        "samples": {
            key: rng.sample(values, min(samples, len(values)))
            for key, values in sorted(seen.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.samples)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    n = result["comments"]
    print(f"{n} answered comments from the training file")
    print(
        f"safeguarding comments flagged in the file: {result['safeguarding_flagged_in_file']}, "
        f"raised a safeguarding signal: {result['safeguarding_flagged_caught']}"
    )
    for kind, count in result["comments_with_signal"].items():
        print(f"comments raising a {kind} signal: {count} ({count / n:.1%})")
    print("\nsignals by reason:")
    for reason, count in result["signals_by_reason"].items():
        print(f"  {count:5d}  {reason}")
    print("\npersonal data found, by kind:")
    for kind, count in result["personal_data_by_kind"].items():
        print(f"  {count:5d}  {kind}")
    for key, values in result["samples"].items():
        print(f"\n--- {key}: a sample of {len(values)}")
        for value in values:
            print(f"  - {value}")


if __name__ == "__main__":
    main()
