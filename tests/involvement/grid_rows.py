"""Who may open each staff URL of a group's workspace (the rows tests/test_staff_url_grid.py
counts as covered; the grid itself is tests/involvement/test_group_url_grid.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Organisers of Oak Lane's PPG (its chair and staff lead), and everyone in it.
PPG_ORGANISERS = frozenset({"fay", "dana"})
PPG_MEMBERS = PPG_ORGANISERS | {"gina"}
SIGNED_IN = frozenset({"alice", "bob", "charlie", "dana", "erin", "fay", "gina", "hal"})


@dataclass(frozen=True)
class GroupRow:
    allowed: frozenset[str]
    # Which record of the PPG the address names: group, meeting, minutes, paper, action,
    # join_request; None for the list of the viewer's own groups.
    record: str | None = None
    post_only: bool = False


GROUP_GRID: dict[str, GroupRow] = {
    "group_list": GroupRow(SIGNED_IN),
    "group_home": GroupRow(PPG_MEMBERS, "group"),
    "group_members": GroupRow(PPG_ORGANISERS, "group"),
    "group_member": GroupRow(PPG_ORGANISERS, "member"),
    "group_member_remove": GroupRow(PPG_ORGANISERS, "member", post_only=True),
    "group_join_requests": GroupRow(PPG_ORGANISERS, "group"),
    "group_join_request": GroupRow(PPG_ORGANISERS, "join_request"),
    "group_join_request_told": GroupRow(PPG_ORGANISERS, "join_request", post_only=True),
    "group_meeting_new": GroupRow(PPG_ORGANISERS, "group"),
    "group_meeting": GroupRow(PPG_MEMBERS, "meeting"),
    "group_paper_new": GroupRow(PPG_ORGANISERS, "meeting"),
    "group_paper": GroupRow(PPG_MEMBERS, "paper"),
    "group_minutes": GroupRow(PPG_MEMBERS, "meeting"),
    "group_minutes_decision": GroupRow(PPG_ORGANISERS, "minutes", post_only=True),
    "group_minutes_action": GroupRow(PPG_ORGANISERS, "minutes", post_only=True),
    # The minutes are the group's own record: its chair (or secretary) approves and publishes
    # them, not the staff lead.
    "group_minutes_approve": GroupRow(frozenset({"fay"}), "minutes", post_only=True),
    "group_minutes_publish": GroupRow(frozenset({"fay"}), "minutes", post_only=True),
    "group_minutes_correct": GroupRow(PPG_ORGANISERS, "minutes", post_only=True),
    "group_action": GroupRow(PPG_ORGANISERS, "action", post_only=True),
    # Members read the seats; organisers add them (a POST, refused to Gina by the second grid).
    "group_seats": GroupRow(PPG_MEMBERS, "group"),
    # Gina holds the seat, so she reports back on it, as may the organisers.
    "group_seat_report": GroupRow(PPG_MEMBERS, "committee_seat"),
    "group_message_new": GroupRow(PPG_ORGANISERS, "group"),
    "group_message": GroupRow(PPG_ORGANISERS, "message"),
}

URL_KWARGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "group": lambda o: {"slug": o["group"]},
    "meeting": lambda o: {"meeting_id": o["meeting"]},
    "minutes": lambda o: {"minutes_id": o["minutes"]},
    "paper": lambda o: {"paper_id": o["paper"]},
    "action": lambda o: {"action_id": o["action"]},
    "join_request": lambda o: {"request_id": o["join_request"]},
    "committee_seat": lambda o: {"seat_id": o["committee_seat"]},
    "message": lambda o: {"message_id": o["message"]},
    "member": lambda o: {"member_id": o["member"]},
}
