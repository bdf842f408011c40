from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from patientvoice.insight.engine.encoder import EncoderUnavailable, load_encoder
from patientvoice.insight.engine.recipe import DEFAULT_CACHE_DIR
from patientvoice.insight.engine.static_vectors import load_or_build_table, table_path


class Command(BaseCommand):
    help = (
        "Check the pinned sentence encoder package (its weights' SHA-256) and build the static "
        f"token vectors distilled from it into {DEFAULT_CACHE_DIR} (PATIENTVOICE_ENCODER_CACHE) "
        "when they are not there yet: a few minutes on one core, once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        path = table_path(DEFAULT_CACHE_DIR)
        try:
            encoder = load_encoder()  # checks the hash even when the table is cached
        except EncoderUnavailable as error:
            raise CommandError(str(error)) from None
        if path.exists():
            self.stdout.write(f"Static vectors present in {path}")
            return
        self.stdout.write("Distilling static token vectors from the sentence encoder…")
        table = load_or_build_table(DEFAULT_CACHE_DIR, encoder)
        self.stdout.write(
            f"Built {table.shape[0]} token vectors in {time.monotonic() - started:.0f}s: {path}"
        )
