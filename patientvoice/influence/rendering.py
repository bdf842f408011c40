"""One HTML source for a report: the staff page, the public page, print (A4) and PDF all
render `influence/report_body.jinja` with the context built here."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.template.loader import render_to_string

from patientvoice.influence.figures import drawing, figure_of, period_label, scope_label
from patientvoice.influence.models import Escalation, Evidence, Finding, Notice, Report

# WeasyPrint logs each layout step at INFO: nothing an operator needs, once per page.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

REPORT_CSS = Path(__file__).parent / "static" / "influence" / "report.css"


def report_context(report: Report) -> dict[str, Any]:
    findings = list(
        report.findings.prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related(
                    "theme", "service__organisation", "publication"
                ),
            )
        )
    )
    parts: list[tuple[Finding, list[dict[str, Any]]]] = []
    for finding in findings:
        items = []
        for item in finding.evidence.all():
            entry: dict[str, Any] = {"item": item}
            if item.kind == Evidence.Kind.FIGURE:
                entry["figure"] = figure_of(item, report)
                entry["drawing"] = drawing(entry["figure"])
            elif item.kind == Evidence.Kind.QUOTE:
                # Issued: the text as it was published then; a draft shows the live text.
                entry["quote"] = item.quote_text or (
                    item.publication.text if item.publication else ""
                )
            items.append(entry)
        parts.append((finding, items))
    recommendations = list(
        report.recommendations.select_related("addressed_to", "response").order_by("position")
    )
    return {
        "report": report,
        "scope": scope_label(report),
        "period": period_label(report.period_start, report.period_end),
        "findings": parts,
        "recommendations": recommendations,
        "escalations": list(
            Escalation.objects.filter(report=report).select_related("organisation")
        ),
        "notices": list(Notice.objects.filter(report=report).select_related("organisation")),
        "contacts": list(report.contacts.all()),
        "previous": report.previous,
        "correction": Report.objects.filter(previous=report).first(),
    }


def render_pdf(report: Report, request: HttpRequest | None = None, *, public: bool) -> bytes:
    """The report as a PDF from the same HTML as its page. Nothing is fetched: the stylesheet
    is handed to WeasyPrint directly, charts are inline SVG, fonts are the machine's (Arial or
    its stand-in), and the fetcher refuses every address that is not a data: URI."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(
        "influence/report_document.jinja",
        {**report_context(report), "public": public},
        request=request,
    )
    fetcher = URLFetcher(allowed_protocols=("data",))
    stylesheet = CSS(string=REPORT_CSS.read_text(), url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
