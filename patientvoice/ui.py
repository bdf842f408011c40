"""Django forms rendered as NHS.UK frontend components.

`nhsuk_field` turns a bound field into the name of an NHS.UK macro and the parameters it takes, so
every form in the product gets labels, hints, error messages and ids the same way, and the error
summary links land on the right control.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class DatePartsWidget(forms.Widget):
    """Three text boxes (day, month, year) as in the NHS.UK date input pattern."""

    parts = ("day", "month", "year")

    # The NHS.UK date-input macro names its boxes prefix[day], prefix[month], prefix[year].
    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {part: (data.get(f"{name}[{part}]") or "").strip() for part in self.parts}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}[{part}]" in data for part in self.parts)


class DatePartsField(forms.Field):
    """A date typed as day, month and year, with the NHS.UK pattern's error messages."""

    widget = DatePartsWidget

    def __init__(self, *, allow_future: bool = False, **kwargs: Any) -> None:
        self.allow_future = allow_future
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return value
        parts = value or {}
        if not any(parts.values()):
            return None
        missing = [part for part in DatePartsWidget.parts if not parts.get(part)]
        if missing:
            raise ValidationError(f"Date must include a {' and a '.join(missing)}", code="missing")
        try:
            day, month, year = (int(parts[part]) for part in DatePartsWidget.parts)
            if year < 1900:
                raise ValueError
            date = datetime.date(year, month, day)
        except ValueError:
            raise ValidationError("Date must be a real date", code="invalid") from None
        if not self.allow_future and date > datetime.date.today():  # noqa: DTZ011
            raise ValidationError("Date must be today or in the past", code="future")
        return date


def _date_values(bf: forms.BoundField) -> dict[str, str]:
    value = bf.value()
    if isinstance(value, datetime.date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    return dict(value or {})


def _error(bf: forms.BoundField) -> dict[str, str] | None:
    return {"text": " ".join(str(e) for e in bf.errors)} if bf.errors else None


def _choice_items(
    bf: forms.BoundField, selected_key: str, *, keep_blank: bool = False
) -> list[dict[str, Any]]:
    raw = bf.value()
    chosen = {str(v) for v in raw} if isinstance(raw, list | tuple) else {str(raw)}
    hints = getattr(bf.field, "choice_hints", {})
    items = []
    for value, text in bf.field.choices:  # type: ignore[attr-defined]
        if value in ("", None) and not keep_blank:
            continue
        value = "" if value is None else value
        item: dict[str, Any] = {
            "value": value,
            "text": str(text),
            selected_key: str(value) in chosen,
        }
        if value in hints:
            item["hint"] = {"text": hints[value]}
        items.append(item)
    return items


def nhsuk_field(bf: forms.BoundField, extra: dict[str, Any] | None = None) -> tuple[str, dict]:
    """Return (macro name, parameters) for one bound field."""
    widget = bf.field.widget
    label = str(bf.label)
    hint = {"text": str(bf.help_text)} if bf.help_text else None
    error = _error(bf)
    params: dict[str, Any]
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        kind = "checkboxes" if isinstance(widget, forms.CheckboxSelectMultiple) else "radios"
        params = {
            "idPrefix": bf.auto_id,
            "name": bf.html_name,
            "fieldset": {"legend": {"text": label, "size": "s"}},
            "items": _choice_items(bf, "checked"),
        }
    elif isinstance(widget, forms.Select):
        kind = "select"
        params = {
            "id": bf.auto_id,
            "name": bf.html_name,
            "label": {"text": label},
            "items": _choice_items(bf, "selected", keep_blank=True),
        }
    elif isinstance(widget, forms.CheckboxInput):
        kind = "checkboxes"
        params = {
            "idPrefix": bf.auto_id,
            "name": bf.html_name,
            "items": [{"value": "on", "text": label, "checked": bool(bf.value())}],
        }
    elif isinstance(widget, DatePartsWidget):
        kind = "dateInput"
        values = _date_values(bf)
        params = {
            "id": bf.auto_id,
            "namePrefix": bf.html_name,
            "fieldset": {"legend": {"text": label, "size": "s"}},
            "items": [
                {"name": part, "value": values.get(part, ""), "width": 4 if part == "year" else 2}
                for part in DatePartsWidget.parts
            ],
        }
    elif isinstance(widget, forms.Textarea):
        kind = "textarea"
        params = {
            "id": bf.auto_id,
            "name": bf.html_name,
            "label": {"text": label, "size": "s"},
            "value": bf.value() or "",
            "rows": widget.attrs.get("rows", 5),
        }
    else:
        kind = "input"
        params = {
            "id": bf.auto_id,
            "name": bf.html_name,
            "label": {"text": label},
            "value": bf.value() if bf.value() is not None else "",
            "type": getattr(widget, "input_type", "text"),
        }
        if widget.attrs.get("autocomplete"):
            params["autocomplete"] = widget.attrs["autocomplete"]
        if widget.attrs.get("class"):
            params["classes"] = widget.attrs["class"]
    if hint:
        params["hint"] = hint
    if error:
        params["errorMessage"] = error
    params.update(extra or {})
    return kind, params


def error_anchor(bf: forms.BoundField) -> str:
    if isinstance(bf.field.widget, DatePartsWidget):
        return f"#{bf.auto_id}-day"
    return f"#{bf.auto_id}"


def error_summary_items(form: forms.Form) -> list[dict[str, str]]:
    """One error-summary entry per message, each linking to the control it is about."""
    items = [{"text": str(e), "href": "#main-form"} for e in form.non_field_errors()]
    for bf in form:
        items.extend({"text": str(e), "href": error_anchor(bf)} for e in bf.errors)
    return items
