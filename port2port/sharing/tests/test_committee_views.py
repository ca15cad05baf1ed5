"""The committee pages: members only, and only the chair or secretary manages."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import World
from port2port.core.models import AuditEntry, Clearance, User
from port2port.sharing import services
from port2port.sharing.models import (
    ActionItem,
    CommitteeDocument,
    CommitteeMember,
    Decision,
    Meeting,
)
from port2port.sharing.tests.conftest import Hub


def _seat(hub: Hub, user: User, role: str = CommitteeMember.Role.MEMBER) -> None:
    services.committee_member_add(actor=None, committee=hub.lcmb, user=user, role=role)


def _meeting(hub: Hub, alice: User, **kwargs: object) -> Meeting:
    values: dict[str, object] = {
        "starts_at": timezone.now() + dt.timedelta(days=30),
        "location": "Port House",
        "agenda": "Cloned plates",
    }
    values.update(kwargs)
    return services.meeting_plan(actor=alice, committee=hub.lcmb, **values)  # type: ignore[arg-type]


def test_the_chair_plans_a_meeting_from_the_committee_page(
    world: World, hub: Hub, alice_client: Client
) -> None:
    page = alice_client.get(reverse("sharing:committee", args=[hub.lcmb.pk]))
    assert reverse("sharing:meeting-new", args=[hub.lcmb.pk]) in page.content.decode()
    response = alice_client.post(
        reverse("sharing:meeting-new", args=[hub.lcmb.pk]),
        {
            "starts_at": "2030-03-12T14:00",
            "location": "Port House",
            "classification": "0",
            "agenda": "1. Cloned plates",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:meeting", args=[meeting.pk])
    assert (meeting.committee_id, meeting.location, meeting.agenda) == (
        hub.lcmb.pk,
        "Port House",
        "1. Cloned plates",
    )


def test_a_meeting_above_the_chairs_clearance_is_refused(
    world: World, hub: Hub, alice: User, alice_client: Client
) -> None:
    alice.clearance = Clearance.CONFIDENTIAL
    alice.save(update_fields=["clearance"])
    response = alice_client.post(
        reverse("sharing:meeting-new", args=[hub.lcmb.pk]),
        {"starts_at": "2030-03-12T14:00", "classification": "2"},
    )
    assert response.status_code == 400
    assert "above your own clearance" in response.content.decode()
    assert Meeting.objects.count() == 0


def test_the_chair_adds_a_member_with_a_role_by_e_mail(
    world: World, hub: Hub, bob: User, alice_client: Client
) -> None:
    bob.email = "bob@example.be"
    bob.clearance = Clearance.CONFIDENTIAL
    bob.save(update_fields=["email", "clearance"])
    response = alice_client.post(
        reverse("sharing:member-add", args=[hub.lcmb.pk]),
        {"user": "BOB@example.be", "role": "secretary", "represents": "Police"},
    )
    assert response.status_code == 302
    seat = CommitteeMember.objects.get(user=bob)
    assert (seat.committee_id, seat.role, seat.represents) == (
        hub.lcmb.pk,
        "secretary",
        "Police",
    )
    page = alice_client.get(reverse("sharing:committee", args=[hub.lcmb.pk]))
    assert "Secretary · Confidential (Police)" in page.content.decode()


def test_an_unknown_account_is_refused_as_a_member(
    world: World, hub: Hub, alice_client: Client
) -> None:
    response = alice_client.post(
        reverse("sharing:member-add", args=[hub.lcmb.pk]),
        {"user": "nobody", "role": "member"},
    )
    assert response.status_code == 400
    assert "No active account has this name." in response.content.decode()
    assert CommitteeMember.objects.count() == 1


def test_the_chair_records_minutes_decisions_and_actions(
    world: World, hub: Hub, alice: User, bob: User, alice_client: Client
) -> None:
    _seat(hub, bob)
    meeting = _meeting(hub, alice)
    url = reverse("sharing:meeting", args=[meeting.pk])
    alice_client.post(url, {"form": "minutes", "minutes-minutes": "Ten present."})
    alice_client.post(
        url, {"form": "decision", "decision-text": "Night checks at gate 5."}
    )
    response = alice_client.post(
        url,
        {
            "form": "action",
            "action-text": "Brief the terminals",
            "action-owner": str(bob.pk),
            "action-due_on": "2030-04-01",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Ten present."
    assert list(Decision.objects.values_list("text", flat=True)) == [
        "Night checks at gate 5."
    ]
    item = ActionItem.objects.get()
    assert (item.text, item.owner_id, item.due_on) == (
        "Brief the terminals",
        bob.pk,
        dt.date(2030, 4, 1),
    )
    page = alice_client.get(url).content.decode()
    assert "Night checks at gate 5." in page
    assert "Brief the terminals" in page


def test_an_action_owner_must_sit_on_the_committee(
    world: World, hub: Hub, alice: User, charlie: User, alice_client: Client
) -> None:
    meeting = _meeting(hub, alice)
    response = alice_client.post(
        reverse("sharing:meeting", args=[meeting.pk]),
        {
            "form": "action",
            "action-text": "Brief the terminals",
            "action-owner": str(charlie.pk),
            "action-due_on": "2030-04-01",
        },
    )
    assert response.status_code == 400
    assert ActionItem.objects.count() == 0


def test_the_owner_marks_an_action_done(
    world: World, hub: Hub, alice: User, bob: User, bob_client: Client
) -> None:
    _seat(hub, bob)
    meeting = _meeting(hub, alice)
    item = services.action_add(
        actor=alice,
        meeting=meeting,
        text="Brief the terminals",
        owner=bob,
        due_on=dt.date(2030, 4, 1),
    )
    response = bob_client.post(reverse("sharing:action-done", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None


def test_a_member_reads_the_meeting_but_may_not_manage_it(
    world: World, hub: Hub, alice: User, bob: User, bob_client: Client
) -> None:
    _seat(hub, bob)
    meeting = _meeting(hub, alice)
    page = bob_client.get(reverse("sharing:meeting", args=[meeting.pk]))
    assert page.status_code == 200
    assert "Cloned plates" in page.content.decode()
    assert 'id="decision-form"' not in page.content.decode()
    committee_page = bob_client.get(reverse("sharing:committee", args=[hub.lcmb.pk]))
    assert 'id="committee-actions"' not in committee_page.content.decode()
    for name in ("sharing:meeting-new", "sharing:member-add", "sharing:document-new"):
        assert bob_client.get(reverse(name, args=[hub.lcmb.pk])).status_code == 403
    posted = bob_client.post(
        reverse("sharing:meeting", args=[meeting.pk]),
        {"form": "decision", "decision-text": "Mine"},
    )
    assert posted.status_code == 403
    assert Decision.objects.count() == 0


def test_a_classified_meeting_is_hidden_from_an_uncleared_member(
    world: World, hub: Hub, alice: User, bob: User, bob_client: Client
) -> None:
    _seat(hub, bob, CommitteeMember.Role.SECRETARY)
    meeting = _meeting(hub, alice, classification=Clearance.SECRET)
    services.action_add(
        actor=alice,
        meeting=meeting,
        text="Secret follow-up",
        owner=alice,
        due_on=dt.date(2030, 4, 1),
    )
    page = bob_client.get(reverse("sharing:meeting", args=[meeting.pk]))
    body = page.content.decode()
    assert 'id="classified"' in body
    assert "Cloned plates" not in body
    assert "Secret follow-up" not in body
    committee_page = bob_client.get(reverse("sharing:committee", args=[hub.lcmb.pk]))
    assert "Secret follow-up" not in committee_page.content.decode()
    posted = bob_client.post(
        reverse("sharing:meeting", args=[meeting.pk]),
        {"form": "minutes", "minutes-minutes": "Overwritten"},
    )
    assert posted.status_code == 403


def test_non_members_get_404_on_every_committee_page(
    world: World, hub: Hub, alice: User, charlie_client: Client
) -> None:
    meeting = _meeting(hub, alice)
    item = services.action_add(
        actor=alice,
        meeting=meeting,
        text="Brief the terminals",
        owner=alice,
        due_on=dt.date(2030, 4, 1),
    )
    for name in ("sharing:meeting-new", "sharing:member-add", "sharing:document-new"):
        assert charlie_client.get(reverse(name, args=[hub.lcmb.pk])).status_code == 404
    assert (
        charlie_client.get(reverse("sharing:meeting", args=[meeting.pk])).status_code
        == 404
    )
    done = charlie_client.post(reverse("sharing:action-done", args=[item.pk]))
    assert done.status_code == 404
    item.refresh_from_db()
    assert item.done_at is None


def test_the_chair_uploads_a_classified_document_only_cleared_members_open(
    world: World,
    hub: Hub,
    bob: User,
    alice_client: Client,
    bob_client: Client,
    settings: object,
    tmp_path: object,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    _seat(hub, bob)
    response = alice_client.post(
        reverse("sharing:document-new", args=[hub.lcmb.pk]),
        {
            "title": "Threat assessment",
            "classification": "1",
            "file": SimpleUploadedFile("threat.txt", b"restricted"),
        },
    )
    assert response.status_code == 302
    document = CommitteeDocument.objects.get()
    assert (document.title, document.classification) == ("Threat assessment", 1)
    assert AuditEntry.objects.filter(action="sharing.document.add").count() == 1
    url = reverse("sharing:document", args=[document.pk])
    assert alice_client.get(url).status_code == 200
    assert bob_client.get(url).status_code == 404


def test_the_meeting_page_speaks_dutch_and_french(
    world: World, hub: Hub, alice: User, alice_client: Client
) -> None:
    meeting = _meeting(hub, alice)
    url = reverse("sharing:meeting", args=[meeting.pk])
    dutch = alice_client.get(url, headers={"Accept-Language": "nl"}).content.decode()
    french = alice_client.get(url, headers={"Accept-Language": "fr"}).content.decode()
    assert "Vergadering van" in dutch
    assert "Réunion du" in french
