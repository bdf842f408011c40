"""Sections other apps add to the public group page.

The group page belongs to the directory, which may not import the apps to its right; an app
that has something to show there (meetings and minutes, from `involvement`) registers a section
from its AppConfig.ready. A section is a function of the group returning the template to include
and its context, or None to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patientvoice.directory.models import Group

GroupSection = Callable[[Group], tuple[str, dict[str, Any]] | None]
_sections: list[GroupSection] = []


def register_group_section(section: GroupSection) -> None:
    if section not in _sections:
        _sections.append(section)


def group_sections(group: Group) -> list[dict[str, Any]]:
    found = (section(group) for section in _sections)
    return [{"template": shown[0], "context": shown[1]} for shown in found if shown]
