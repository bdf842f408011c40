import time
from typing import Any

from django.core import mail
from django.test import Client

from patientvoice.defences import issue_form_token
from patientvoice.feedback.models import Comment, Experience
from patientvoice.people.models import ConsentRecord, EqualityMonitoring, Person
from tests.conftest import World

URL = "/share/services/maternity/"


def valid_form(**overrides: Any) -> dict[str, Any]:
    """A form as a person sends it: fetched a minute ago (the token is signed with that time),
    honeypot left empty."""
    data: dict[str, Any] = {
        "submission_token": issue_form_token(rendered_at=time.time() - 60),
        "website": "",
        "rating": "2",
        "what_was_good": "The midwife stayed with us all night.",
        "could_be_better": "The car park was full.",
        "happened_on[day]": "3",
        "happened_on[month]": "10",
        "happened_on[year]": "2026",
        "respondent": "patient",
    }
    data.update(overrides)
    return data


def test_the_form_asks_the_fft_question_with_its_six_answers(client: Client, world: World) -> None:
    page = client.get(URL).content.decode()

    assert "Overall, how was your experience of our service?" in page
    for answer in [
        "Very good",
        "Good",
        "Neither good nor poor",
        "Poor",
        "Very poor",
        "Don&#39;t know",
    ]:
        assert answer in page
    assert page.count('type="radio" value="') >= 6 + 4
    assert 'name="submission_token"' in page
    assert 'name="website"' in page  # the honeypot (tests/feedback/test_public_form_defences.py)


def test_a_valid_submission_is_stored_before_the_thank_you_page(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, valid_form())

    experience = Experience.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/share/thank-you/{experience.reference}/"
    assert experience.rating == 2
    assert experience.channel == Experience.Channel.WEB
    assert experience.consent_method == Experience.ConsentMethod.ONLINE
    assert experience.organisation == world.hospital
    assert str(experience.happened_on) == "2026-10-03"
    assert sorted(Comment.objects.values_list("question", "text")) == [
        ("could_be_better", "The car park was full."),
        ("what_was_good", "The midwife stayed with us all night."),
    ]
    thanks = client.get(response["Location"]).content.decode()
    assert experience.reference in thanks


def test_a_double_click_creates_one_record(client: Client, world: World) -> None:
    form = valid_form()

    first = client.post(URL, form)
    second = client.post(URL, form)

    assert Experience.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_errors_are_listed_in_a_summary_and_nothing_is_stored(client: Client, world: World) -> None:
    response = client.post(
        URL,
        valid_form(
            rating="", respondent="", **{"happened_on[day]": "31", "happened_on[month]": "2"}
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Share your experience" in page
    assert "There is a problem" in page
    assert 'href="#id_rating"' in page
    assert "Select how your experience was overall" in page
    assert 'href="#id_happened_on-day"' in page
    assert "Date must be a real date" in page
    assert Experience.objects.count() == 0
    assert "The midwife stayed with us all night." in page  # what they typed is kept


def test_a_date_in_the_future_is_refused(client: Client, world: World) -> None:
    response = client.post(URL, valid_form(**{"happened_on[year]": "2999"}))

    assert "Date must be today or in the past" in response.content.decode()
    assert Experience.objects.count() == 0


def test_asking_to_be_contacted_needs_a_name_and_a_way_to_reach_you(
    client: Client, world: World
) -> None:
    response = client.post(URL, valid_form(may_contact="on"))

    page = response.content.decode()
    assert "Enter your name so we know who to ask for" in page
    assert "Enter an email address or a phone number" in page
    assert Experience.objects.count() == 0


def test_contact_consent_is_recorded_with_its_version_and_the_address_asked_to_confirm(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL,
            valid_form(may_contact="on", contact_name="Sam Jones", contact_email="sam@example.org"),
        )

    experience = Experience.objects.get()
    person = Person.objects.get()
    consent = ConsentRecord.objects.get()
    assert experience.contact == person and experience.may_contact
    assert consent.purpose == ConsentRecord.Purpose.FEEDBACK_CONTACT
    assert consent.version and consent.method == "online"
    assert experience.is_counted
    # The first email only asks the owner of the address to confirm it (tests/feedback/
    # test_contact_emails.py follows the link).
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Confirm your email address for Northdale Hospitals"
    assert mail.outbox[0].to == ["sam@example.org"]


def test_equality_answers_are_stored_apart_from_the_experience(
    client: Client, world: World
) -> None:
    client.post(URL, valid_form(age_band="35-44", ethnicity="N", postcode_district="nd4 2ab"))

    equality = EqualityMonitoring.objects.get()
    assert (equality.age_band, equality.ethnicity, equality.postcode_district) == (
        "35-44",
        "N",
        "ND4",
    )
    assert Experience.objects.get().equality == equality


def test_no_equality_record_is_made_when_none_is_given(client: Client, world: World) -> None:
    client.post(URL, valid_form())

    assert EqualityMonitoring.objects.count() == 0


def test_services_can_be_found_by_name_or_place(client: Client, world: World) -> None:
    by_name = client.get("/share/", {"q": "maternity"}).content.decode()
    by_place = client.get("/share/", {"q": "Eastbridge"}).content.decode()

    assert 'href="/share/services/maternity/"' in by_name
    assert 'href="/share/services/oak-lane-appointments/"' in by_place
    assert 'href="/share/services/maternity/"' not in by_place


def test_the_service_search_takes_the_same_queries_however_many_services(
    client: Client, world: World
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patientvoice.directory.models import Service

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/share/", {"q": "unit"}).status_code == 200
        return len(captured)

    few = count()
    for n in range(15):
        Service.objects.create(organisation=world.hospital, name=f"Unit {n}", slug=f"unit-{n}")
    assert count() == few


def test_a_reference_that_collides_is_replaced_and_nothing_is_lost(
    client: Client, world: World, monkeypatch: Any
) -> None:
    first = client.post(URL, valid_form())
    taken = Experience.objects.get().reference
    references = iter([taken, "PV-NEW2-REF3"])
    # The field's default is resolved once per process (Field._get_default), so patch that.
    field = Experience._meta.get_field("reference")
    monkeypatch.setattr(field, "_get_default", lambda: next(references), raising=False)

    second = client.post(URL, valid_form())

    assert first.status_code == second.status_code == 302
    assert sorted(Experience.objects.values_list("reference", flat=True)) == sorted(
        [taken, "PV-NEW2-REF3"]
    )


def test_a_service_closed_after_its_form_was_shown_takes_no_more_feedback(
    client: Client, world: World
) -> None:
    assert client.get(URL).status_code == 200  # the service is now remembered for a while

    world.maternity.is_active = False
    world.maternity.save()

    assert client.get(URL).status_code == 404
    assert client.post(URL, valid_form()).status_code == 404
    assert not Experience.objects.exists()


def test_a_renamed_organisation_shows_on_the_form_at_once(client: Client, world: World) -> None:
    client.get(URL)

    world.maternity.organisation.name = "Northdale Teaching Hospitals"
    world.maternity.organisation.save()

    assert "Northdale Teaching Hospitals" in client.get(URL).content.decode()
