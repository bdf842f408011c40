from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from patientvoice.insight import engine
from patientvoice.insight.engine.model import METADATA_FILE
from patientvoice.insight.engine.recipe import FEATURES, Recipe, configured_recipe
from patientvoice.insight.models import ModelVersion

QUICK_SUBSET = 600


class Command(BaseCommand):
    help = (
        "Cross-validate the text model on the training data (identical texts kept in the same "
        "fold) beside a reproduction of pxtextmining's TF-IDF + SVC, and print the figures. "
        "The full run takes a quarter of an hour on two cores; --quick takes seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument(
            "--quick",
            action="store_true",
            help=f"{QUICK_SUBSET} sampled comments, 2 folds: checks it runs; figures indicative",
        )
        parser.add_argument("--no-baseline", action="store_true", help="Skip the baseline")
        parser.add_argument("--jobs", type=int, default=2, help="Processes for the baseline")
        parser.add_argument(
            "--record",
            action="store_true",
            help="Write the figures into the current model's metadata.json for staff to see",
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON")
        # The recipe PATIENTVOICE_TEXT_MODEL names (fast or accurate), as `train` makes it.
        default = configured_recipe()
        parser.add_argument(
            "--features",
            choices=FEATURES,
            default=default.features,
            help="TF-IDF alone, or with the static vectors distilled from the sentence encoder, "
            "or with the full encoder's vectors (slow: encodes every comment once, then cached)",
        )
        parser.add_argument("--embedding-weight", type=float, default=default.embedding_weight)
        _safeguarding_arguments(parser)
        parser.add_argument(
            "--unrated-copies",
            action=argparse.BooleanOptionalAction,
            default=default.unrated_copies,
            help="Also teach sentiment from each rated comment with its rating taken away",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["safeguarding"]:
            self.stdout.write(_safeguarding(options, as_json=options["json"]))
            return
        recipe = Recipe(options["features"], options["embedding_weight"], options["unrated_copies"])
        metadata_path = settings.PATIENTVOICE_MODEL_DIR / METADATA_FILE
        if options["record"]:
            _check_recordable(metadata_path, recipe)
        report = engine.evaluate(
            2 if options["quick"] else options["folds"],
            subset=QUICK_SUBSET if options["quick"] else None,
            baseline=not options["no_baseline"],
            n_jobs=options["jobs"],
            recipe=recipe,
            progress=lambda message: self.stderr.write(message),
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self.stdout.write(engine.format_report(report))
        self.stdout.write(_safeguarding(options, as_json=options["json"]))
        if options["record"]:
            metadata = json.loads(metadata_path.read_text())
            metadata["evaluation"] = report.as_dict()
            metadata_path.write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
            # A version already registered shows its figures on the text model page too.
            ModelVersion.objects.filter(version=metadata.get("version")).update(
                evaluation=metadata["evaluation"]
            )
            self.stderr.write(f"Recorded the figures in {metadata_path}")


def _check_recordable(metadata_path: Path, recipe: Recipe) -> None:
    """Figures go beside a model only when they were measured on the way it was made."""
    if not metadata_path.exists():
        raise CommandError(f"No text model in {metadata_path.parent}: run `patientvoice train`")
    made_with = json.loads(metadata_path.read_text()).get(
        "recipe", Recipe("tfidf", 1.0, False).describe()
    )
    if made_with != recipe.describe():
        raise CommandError(
            f"The model in {metadata_path.parent} was made with {made_with}; these figures would "
            f"be for {recipe.describe()}. Evaluate with the same options, or without --record."
        )


def _safeguarding_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--safeguarding",
        action="store_true",
        help="Only the safeguarding detector's figures (a minute, not a quarter of an hour)",
    )
    parser.add_argument(
        "--decisions",
        type=Path,
        help="Also score the current detector on labelled sentences exported from triage "
        "decisions (columns text, category, group, source)",
    )
    parser.add_argument(
        "--held-out",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Score the current detector on the held-out sentences and comments (by default "
        "yes, except with --quick)",
    )


def _safeguarding(options: dict[str, Any], *, as_json: bool) -> str:
    """Per kind of concern: grouped cross-validation on the training sentences, and the
    current model's detector on the held-out set and on triage decisions."""
    from patientvoice.insight.engine import safeguarding_evaluate as sg
    from patientvoice.insight.engine.predict import detector_of

    folds = 2 if options["quick"] else options["folds"]
    negatives = sg.QUICK_COMMENT_NEGATIVES if options["quick"] else sg.COMMENT_NEGATIVES
    results = [sg.cross_validate(folds=folds, comment_negative_count=negatives)]
    notes = []
    held_out = options["held_out"] if options["held_out"] is not None else not options["quick"]
    if held_out or options["decisions"]:
        try:
            detector = detector_of(engine.load_model(settings.PATIENTVOICE_MODEL_DIR))
        except engine.ModelNotFound as error:
            raise CommandError(str(error)) from None
        if detector is None:
            notes.append(
                "The current model has no safeguarding detector (trained before it existed): "
                "run `patientvoice train --safeguarding-only` to score it."
            )
        elif held_out:
            results.append(sg.score_sentences(detector, sg.TEST_SENTENCES))
            results.append(sg.score_comments(detector, sg.TEST_COMMENTS))
            if detector.second_stage is not None:
                detector.use_second_stage = True
                for result in (
                    sg.score_sentences(detector, sg.TEST_SENTENCES),
                    sg.score_comments(detector, sg.TEST_COMMENTS),
                ):
                    result.title += ", with the second stage (full encoder)"
                    results.append(result)
                detector.use_second_stage = False
        if options["decisions"] and detector is not None:
            if not options["decisions"].is_file():
                raise CommandError(f"No such file: {options['decisions']}")
            results.append(
                sg.score_sentences(
                    detector, options["decisions"], f"Triage decisions ({options['decisions']})"
                )
            )
    if as_json:
        return json.dumps(
            {"safeguarding": [r.as_dict() for r in results], "notes": notes}, indent=2
        )
    return "\n".join(
        ["", "Safeguarding detector, per kind of concern", *notes]
    ) + sg.format_figures(results)
