"""The demo world's groups at work: the PPGs, the cancer forum, a maternity voices partnership
and the People Council get members (the Oak Lane PPG a chair who can sign in and a staff lead),
a year of meetings with minutes and actions, the next two meetings, and committee seats with
report-backs.

Idempotent: members are found by group and name, meetings by group and date (the first
Wednesday of each month, counted from the current month), so loading again adds nothing; a month
later it adds that month's meetings.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction
from django.utils import timezone

from patientvoice.directory.models import Group
from patientvoice.involvement import services
from patientvoice.involvement.models import (
    Action,
    AgendaItem,
    Committee,
    CommitteeSeat,
    Decision,
    GroupMember,
    GroupRole,
    Meeting,
    Minutes,
    ReportBack,
)
from patientvoice.people.models import Person, User

LONDON = zoneinfo.ZoneInfo("Europe/London")
PPGS = ["oak-lane-ppg", "riverside-ppg", "market-street-ppg", "hillcrest-ppg"]
# Groups of other kinds that meet in the same way, with their own business (TOPICS_BY_KIND).
OTHER_GROUPS = ["northdale-cancer-forum", "kirkby-moor-mnvp", "mh-people-council"]
GROUPS = PPGS + OTHER_GROUPS
# The Oak Lane PPG's chair signs in with this account and the demo password.
CHAIR_USERNAME = "ppg-chair"
STAFF_LEAD_USERNAME = "demo-practice"

# Each group's members, in this order of role and contact preference; names are invented.
ROLES = [
    (GroupRole.CHAIR, "email"),
    (GroupRole.VICE_CHAIR, "email"),
    (GroupRole.SECRETARY, "email"),
    (GroupRole.MEMBER, "post"),
    (GroupRole.MEMBER, "email"),
    (GroupRole.MEMBER, "phone"),
    (GroupRole.MEMBER, "email"),
]
NAMES = [
    [
        "Fay Hughes",
        "Tom Byrne",
        "Aisha Rahman",
        "George Whitfield",
        "Mei Chen",
        "Patrick Doyle",
        "Sandra Okoye",
    ],
    [
        "Ruth Ellison",
        "Imran Malik",
        "Joan Prescott",
        "Derek Holt",
        "Nia Evans",
        "Bogdan Nowak",
        "Lily Tran",
    ],
    [
        "Margaret Quinn",
        "Samuel Adeyemi",
        "Harpreet Gill",
        "Colin Marsh",
        "Zara Hussain",
        "Eileen Walsh",
        "Kofi Mensah",
    ],
    [
        "Beth Carver",
        "Arjun Mehta",
        "Olive Turner",
        "Frank Lowe",
        "Yasmin Ali",
        "Stan Kowalski",
        "Grace Obi",
    ],
    [
        "Hilary Moss",
        "Dev Sharma",
        "June Ashworth",
        "Ray Fenton",
        "Abena Owusu",
        "Carl Dyson",
        "Iris Kemp",
    ],
    [
        "Sophie Lam",
        "Jade Morgan",
        "Fatima Begum",
        "Chloe Reid",
        "Tunde Bakare",
        "Ellie Shaw",
        "Priti Nair",
    ],
    [
        "Marcus Reid",
        "Leanne Ford",
        "Owen Pryce",
        "Nadia Karim",
        "Gary Sutton",
        "Rosa Mendes",
        "Ben Hale",
    ],
]
# (agenda topic, decision, two actions (description, owner: index into the group's NAMES)).
TOPICS = [
    (
        "Getting through on the phone at 8am",
        "Ask the practice to publish its call waiting times each month.",
        [
            ("Write to the practice manager about call waiting times", 0),
            ("Count calls answered in the first hour for one week", 3),
        ],
    ),
    (
        "The new online booking system",
        "Run a drop-in session showing patients how to book online.",
        [("Book the waiting room for a Saturday drop-in", 2), ("Make a large-print guide", 4)],
    ),
    (
        "Flu and COVID-19 vaccination clinics",
        "Support the Saturday clinics with volunteers at the door.",
        [("Draw up a volunteer rota", 1), ("Put posters in the library and pharmacy", 5)],
    ),
    (
        "Friends and Family Test results",
        "Review the comments about reception at every meeting.",
        [
            ("Summarise this quarter's comments for the next meeting", 2),
            ("Ask for comments in other languages to be translated", 6),
        ],
    ),
    (
        "Access for people with hearing loss",
        "Ask for a hearing loop at reception.",
        [("Find the cost of a portable hearing loop", 1), ("Test the loop with members", 3)],
    ),
    (
        "The practice's annual report to patients",
        "Write the PPG's section of the report.",
        [("Draft the PPG's section", 0), ("Check the draft with members who get it by post", 2)],
    ),
]


TOPICS_BY_KIND = {
    "ppg": TOPICS,
    "patient_forum": [
        (
            "The new patient information leaflet on chemotherapy",
            "Approve the leaflet once members' changes are made.",
            [
                ("Send the forum's changes to the nurse specialist", 2),
                ("Check the Easy Read version", 4),
            ],
        ),
        (
            "Waiting times for first appointments",
            "Ask the cancer board for waiting times by tumour site.",
            [("Write to the cancer board", 0), ("Collect members' experiences of the wait", 5)],
        ),
        (
            "A video about what to expect at radiotherapy",
            "Two members will appear in the video.",
            [("Agree filming dates with the communications team", 1), ("Review the script", 3)],
        ),
    ],
    "mnvp": [
        (
            "Feedback from the 15 Steps walk-through of the labour ward",
            "Share the walk-through report with the maternity board.",
            [("Write up the walk-through", 2), ("Present it to the maternity board", 0)],
        ),
        (
            "Infant feeding support after discharge",
            "Ask for a feeding helpline at weekends.",
            [
                ("Gather families' stories about weekend support", 4),
                ("Meet the infant feeding lead", 1),
            ],
        ),
        (
            "Reaching families who do not speak English",
            "Hold listening events with interpreters in two children's centres.",
            [("Book interpreters", 5), ("Translate the event poster", 6)],
        ),
    ],
    "people_council": [
        (
            "The trust's involvement payment policy",
            "Recommend paying for preparation time as well as meetings.",
            [
                ("Draft the council's recommendation to the board", 0),
                ("Compare neighbouring trusts' policies", 3),
            ],
        ),
        (
            "Discharge from inpatient mental health wards",
            "Co-produce a discharge checklist with ward staff.",
            [
                ("Set up a working group with ward staff", 1),
                ("Ask recovery café visitors what helps", 5),
            ],
        ),
        (
            "The board's quality report",
            "Ask for people's own words to be quoted in the report.",
            [("Send the council's comments on the draft", 2), ("Choose quotes with permission", 4)],
        ),
    ],
}


def first_wednesday(year: int, month: int) -> datetime.datetime:
    day = datetime.date(year, month, 1)
    day += datetime.timedelta(days=(2 - day.weekday()) % 7)
    return datetime.datetime(day.year, day.month, day.day, 18, 0, tzinfo=LONDON)


def _month(today: datetime.date, offset: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + offset
    return index // 12, index % 12 + 1


@transaction.atomic
def load_demo_groups(password: str | None) -> dict[str, int]:
    chair = _account(CHAIR_USERNAME, "Fay", "Hughes", password)
    staff_lead = User.objects.filter(username=STAFF_LEAD_USERNAME).first()
    for slug, names in zip(GROUPS, NAMES, strict=True):
        group = Group.objects.filter(slug=slug).first()
        if group is None:
            continue
        for n, (name, (role, contact)) in enumerate(zip(names, ROLES, strict=True)):
            account = chair if slug == "oak-lane-ppg" and n == 0 else None
            _member(group, name, role, contact, account)
        if slug == "oak-lane-ppg" and staff_lead is not None:
            _member(group, "Dana Practice", GroupRole.STAFF_LEAD, "email", staff_lead)
        _meetings(group, chair, names, TOPICS_BY_KIND.get(group.kind, TOPICS))
    _seats()
    return {
        "group members": GroupMember.objects.filter(group__slug__in=GROUPS).count(),
        "group meetings": Meeting.objects.filter(group__slug__in=GROUPS).count(),
        "published minutes": Minutes.objects.filter(status=Minutes.Status.PUBLISHED).count(),
    }


def _account(username: str, first: str, last: str, password: str | None) -> User:
    """An account with no staff role; the demo password only in development, as for staff."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
    )
    if created and password:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif password is None and (created or user.has_usable_password()):
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _member(group: Group, name: str, role: str, contact: str, user: User | None) -> GroupMember:
    found = GroupMember.objects.filter(group=group, person__full_name=name).first()
    if found:
        return found
    handle = name.lower().replace(" ", ".")
    person = Person.objects.create(
        full_name=name,
        preferred_contact=contact,
        email=f"{handle}@example.org" if contact == "email" else "",
        phone="01632 960000" if contact == "phone" else "",
        postal_address="1 Demo Street, Kirkby Moor" if contact == "post" else "",
        user=user if user is not None and not hasattr(user, "person") else None,
    )
    return GroupMember.objects.create(
        group=group,
        person=person,
        role=role,
        share_email=contact == "email",
        share_phone=contact == "phone",
    )


def _meetings(
    group: Group,
    chair: User,
    names: list[str],
    topics: list[tuple[str, str, list[tuple[str, int]]]],
) -> None:
    today = timezone.localdate()
    meetings = []
    for offset in range(-12, 3):
        starts_at = first_wednesday(*_month(today, offset))
        meeting, created = Meeting.objects.get_or_create(
            group=group,
            starts_at=starts_at,
            defaults={"place": f"{group.host.name}, meeting room", "created_by": chair},
        )
        topic = topics[(offset + 12) % len(topics)]
        if created:
            AgendaItem.objects.bulk_create(
                AgendaItem(meeting=meeting, position=n, title=title)
                for n, title in enumerate(["Minutes of the last meeting", topic[0]], start=1)
            )
        meetings.append((meeting, topic))
    held = [(m, t) for m, t in meetings if m.starts_at <= timezone.now()]
    for index, (meeting, topic) in enumerate(held):
        if meeting.minutes.exists():
            continue
        later = held[index + 1][0] if index + 1 < len(held) else None
        _minutes(meeting, later, chair, topic, names)


def _minutes(
    meeting: Meeting,
    next_meeting: Meeting | None,
    chair: User,
    topic: tuple[str, str, list[tuple[str, int]]],
    names: list[str],
) -> None:
    """Minutes with a decision and two actions. Approved at the next meeting and published
    when that has been held (the latest meeting's minutes stay a draft); the actions are done
    by the meeting after, except the latest ones."""
    title, decision, actions = topic
    minutes = Minutes.objects.create(
        meeting=meeting,
        drafted_by=chair,
        attendance=", ".join(names[:5]) + ". Apologies: " + ", ".join(names[5:]) + ".",
        discussion=f"The group discussed {title.lower()}.",
    )
    Decision.objects.create(minutes=minutes, text=decision)
    for description, owner in actions:
        action = services.add_action(
            minutes,
            description=description,
            owner=names[owner],
            due_on=(meeting.starts_at + datetime.timedelta(days=28)).date(),
        )
        if next_meeting is not None and next_meeting != _latest_held(meeting):
            # Reported done at the next meeting (an update: the service stamps "now").
            Action.objects.filter(pk=action.pk).update(
                status=Action.Status.DONE, closed_at=next_meeting.starts_at
            )
    if next_meeting is not None:
        services.approve_minutes(minutes, chair, next_meeting)
        services.publish_minutes(minutes, chair)


def _latest_held(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(group_id=meeting.group_id, starts_at__lte=timezone.now())
        .order_by("-starts_at")
        .first()
    )


# (group, committee, body, holder's index in the group's NAMES, reports back (month offset,
# discussed, said for patients, decided)).
SEATS = [
    (
        "oak-lane-ppg",
        "Health Scrutiny Committee",
        "Kirkby Moor Borough Council",
        3,
        [
            (
                -2,
                "Access to GP appointments across the borough",
                "Patients at Oak Lane cannot get through on the phone at 8am; online booking"
                " leaves out people without the internet.",
                "The ICB will report on call waiting times at the March meeting.",
            ),
            (
                -1,
                "Winter vaccination clinics",
                "Saturday clinics worked well; ask for them at every practice.",
                "",
            ),
        ],
    ),
    (
        "riverside-ppg",
        "Kirkby Moor Locality Board",
        "Northdale Integrated Care Board",
        0,
        [
            (
                -1,
                "The new community diagnostic centre",
                "Members asked for evening appointments and a bus from the town centre.",
                "Evening appointments will be trialled from the spring.",
            ),
        ],
    ),
]


def _seats() -> None:
    today = timezone.localdate()
    for slug, committee, body, holder_index, reports in SEATS:
        group = Group.objects.filter(slug=slug).first()
        if group is None:
            continue
        names = NAMES[GROUPS.index(slug)]
        holder = GroupMember.objects.filter(group=group, person__full_name=names[holder_index])
        found, _ = Committee.objects.get_or_create(group=group, name=committee, body=body)
        seat, _ = CommitteeSeat.objects.get_or_create(
            committee=found,
            defaults={
                "holder": holder.first(),
                "term_start": datetime.date(today.year - 1, 4, 1),
                "term_end": datetime.date(today.year + 1, 3, 31),
                "appointing_body": body,
            },
        )
        for offset, discussed, said, decided in reports:
            met = first_wednesday(*_month(today, offset)).date() + datetime.timedelta(days=7)
            ReportBack.objects.get_or_create(
                seat=seat,
                meeting_on=met,
                defaults={
                    "discussed": discussed,
                    "said_for_patients": said,
                    "decided": decided,
                },
            )
