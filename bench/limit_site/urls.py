"""GET /limit/ renders a tiny form; POST /limit/ inserts one row and redirects, as the share
form does. The table is created by the benchmark (TABLE below); nothing else uses it."""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template import engines
from django.urls import path

TABLE = "bench_limit_submission"
CREATE_TABLE = (
    f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, submission_token uuid UNIQUE NOT NULL,"
    " text text NOT NULL, submitted_at timestamptz NOT NULL DEFAULT now())"
)
PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><title>Limit</title></head><body>
<form method="post" action="">{{ csrf_input }}
<input type="hidden" name="submission_token" value="{{ token }}">
<label for="text">What was good?</label><textarea id="text" name="what_was_good"></textarea>
<button type="submit">Send</button></form></body></html>"""


@cache
def page() -> Any:
    # Compiled once per process, as the product's templates are.
    return engines["jinja"].from_string(PAGE)


def form(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            token = uuid.UUID(request.POST.get("submission_token", ""))
        except ValueError:
            return HttpResponseBadRequest("bad submission token")
        text = request.POST.get("what_was_good", "") + request.POST.get("could_be_better", "")
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (submission_token, text) VALUES (%s, %s) RETURNING id",  # noqa: S608
                [token, text],
            )
            (row_id,) = cursor.fetchone()
        return redirect(f"/limit/done/{row_id}/")
    return HttpResponse(page().render({"token": uuid.uuid4()}, request))


urlpatterns = [path("limit/", form)]
