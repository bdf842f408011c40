"""What safeguarding screening adds to each web submission, on one core, model already loaded.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python bench/screening_speed.py [--submissions 2000]
        [--model-dir var/models] [--second-stage] [--json]

A submission's comments (one to three, sampled from the shipped training comments, as the share
form's questions are answered) are screened as the classify task screens them before reading
themes: `predict.screen` (the learnt detector per sentence, and the complaint word list). Reports
the median and 95th/99th percentile milliseconds per submission, and the same for the themes
and sentiment read that follows, for scale. The target is a median of at most 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from patientvoice.insight.engine.data import load_training_set  # noqa: E402
from patientvoice.insight.engine.model import load_model  # noqa: E402
from patientvoice.insight.engine.predict import detector_of, screen  # noqa: E402

TARGET_MS = 50.0


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--second-stage",
        action="store_true",
        help="Also read unsure sentences with the full encoder (a model trained with it)",
    )
    options = parser.parse_args()
    model_dir = options.model_dir or Path(
        os.environ.get("PATIENTVOICE_MODEL_DIR", ROOT / "var" / "models")
    )
    started = time.perf_counter()
    model = load_model(model_dir)
    load_seconds = time.perf_counter() - started
    detector = detector_of(model)
    if detector is None:
        print(f"The model in {model_dir} has no safeguarding detector: run `patientvoice train`")
        return 1
    if options.second_stage:
        if detector.second_stage is None:
            print("The detector has no second stage: train --safeguarding-second-stage")
            return 1
        detector.use_second_stage = True
    texts = [e.text for e in load_training_set().examples if e.text]
    rng = random.Random(0)
    submissions = [
        [rng.choice(texts) for _ in range(rng.choice((1, 2, 2, 3)))]
        for _ in range(options.submissions)
    ]
    screen(model, submissions[0])  # first call: caches warm, as in a running worker
    model.predict_batch(submissions[0])
    screening, themes = [], []
    for submission in submissions:
        t0 = time.perf_counter()
        screen(model, submission)
        t1 = time.perf_counter()
        model.predict_batch(submission)
        t2 = time.perf_counter()
        screening.append((t1 - t0) * 1000)
        themes.append((t2 - t1) * 1000)
    result = {
        "submissions": options.submissions,
        "second_stage": options.second_stage,
        "comments": sum(len(s) for s in submissions),
        "model_load_seconds": round(load_seconds, 2),
        "screening_ms": {
            "median": round(statistics.median(screening), 2),
            "p95": round(_percentile(screening, 95), 2),
            "p99": round(_percentile(screening, 99), 2),
        },
        "themes_and_sentiment_ms": {
            "median": round(statistics.median(themes), 2),
            "p95": round(_percentile(themes, 95), 2),
        },
        "target_median_ms": TARGET_MS,
    }
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        s, t = result["screening_ms"], result["themes_and_sentiment_ms"]
        print(
            f"{result['submissions']} submissions ({result['comments']} comments), model loaded "
            f"in {result['model_load_seconds']}s\n"
            f"screening per submission: median {s['median']} ms, p95 {s['p95']} ms, "
            f"p99 {s['p99']} ms (target median <= {TARGET_MS:.0f} ms)\n"
            f"themes and sentiment after it: median {t['median']} ms, p95 {t['p95']} ms"
        )
    return 0 if result["screening_ms"]["median"] <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
