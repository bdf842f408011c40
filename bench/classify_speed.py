"""How fast `patientvoice classify` reads comments, on one core, model load included.

    python bench/classify_speed.py [--rows 100000] [--model-dir var/models] [--json]
    python bench/classify_speed.py --rows 500 --model-dir <accurate model> --target 0

Writes a CSV of ROWS comments sampled from the training data (lightly perturbed so they are
not all exact repeats), then times, in a fresh subprocess pinned to one thread:

- `command`: the `patientvoice classify` console script (or `python -m patientvoice classify`
  when the script is not installed), which needs Django settings;
- `engine`: the engine's `classify_csv` called directly (no Django), so the figure is available
  while the settings are not.

For each it reports rows per second and the subprocess's peak resident memory. The target is
at least 2,000 rows per second (`--target`; the accurate model, PATIENTVOICE_TEXT_MODEL=accurate,
reads tens a second and has none) and under 1 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from patientvoice.insight.engine.data import load_training_set  # noqa: E402

ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}
HEADER = ["Comment ID", "FFT question", "FFT categorical answer", "FFT answer"]
_TWEAKS = ("", "", " Thank you.", " The staff were great.", "!", " Waited a long time.")


def write_input(path: Path, rows: int, seed: int = 0) -> None:
    examples = load_training_set().examples
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            example = rng.choice(examples)
            text = example.text + rng.choice(_TWEAKS) if example.text else ""
            rating = example.rating if example.rating is not None else ""
            writer.writerow([number, example.question, rating, text])


def _run(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Seconds, and the peak RSS in bytes, of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if completed.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed:\n{completed.stderr[-2000:]}")
    # ru_maxrss of children is the largest of any child so far: run the biggest last or alone.
    return seconds, max(peak_kib, before) * 1024, completed.stderr.strip()


def command_line(input_csv: Path, output_csv: Path) -> list[str]:
    script = shutil.which("patientvoice") or str(ROOT / ".venv" / "bin" / "patientvoice")
    prefix = [script] if Path(script).exists() else [sys.executable, "-m", "patientvoice"]
    return [
        *prefix,
        "classify",
        str(input_csv),
        "--text-column",
        "FFT answer",
        "--question-column",
        "FFT question",
        "--rating-column",
        "FFT categorical answer",
        "--output",
        str(output_csv),
    ]


def engine_line(input_csv: Path, output_csv: Path, model_dir: Path) -> list[str]:
    code = (
        "import sys; from pathlib import Path; "
        f"sys.path.insert(0, {str(ROOT)!r}); "
        "from patientvoice.insight.engine import load_model, classify_csv; "
        f"m = load_model(Path({str(model_dir)!r})); "
        f"classify_csv(m, Path({str(input_csv)!r}), Path({str(output_csv)!r}), "
        "text_column='FFT answer', question_column='FFT question', "
        "rating_column='FFT categorical answer')"
    )
    return [sys.executable, "-c", code]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--skip-command", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--target", type=float, default=2000, help="rows a second to pass")
    options = parser.parse_args()
    model_dir = options.model_dir or Path(
        os.environ.get("PATIENTVOICE_MODEL_DIR", ROOT / "var" / "models")
    )
    env = {**os.environ, **ONE_THREAD, "PATIENTVOICE_MODEL_DIR": str(model_dir)}
    # As `make run` does: the development settings, which need no secret key.
    env.setdefault("DEBUG", "true")
    results: dict[str, dict[str, float | str]] = {}
    with tempfile.TemporaryDirectory() as temporary:
        input_csv = Path(temporary) / "comments.csv"
        write_input(input_csv, options.rows)
        runs = {"engine": engine_line(input_csv, Path(temporary) / "engine.csv", model_dir)}
        if not options.skip_command:
            runs["command"] = command_line(input_csv, Path(temporary) / "command.csv")
        for name, command in runs.items():
            try:
                seconds, peak, _ = _run(command, env)
            except RuntimeError as error:
                results[name] = {"error": str(error)}
                continue
            results[name] = {
                "rows": options.rows,
                "seconds": round(seconds, 2),
                "rows_per_second": round(options.rows / seconds),
                "peak_rss_mb": round(peak / 2**20),
            }
    if options.json:
        print(json.dumps(results, indent=2))
    else:
        for name, result in results.items():
            if "error" in result:
                print(f"{name:8} FAILED: {result['error']}")
            else:
                print(
                    f"{name:8} {result['rows']} rows in {result['seconds']}s: "
                    f"{result['rows_per_second']} rows/s, peak RSS {result['peak_rss_mb']} MB"
                )
    ok = all(
        "error" not in r
        and float(r["rows_per_second"]) >= options.target
        and float(r["peak_rss_mb"]) < 1024
        for r in results.values()
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
