"""The hub's demo data loads on the full Belgian demo."""

from __future__ import annotations

import pytest

from port2port.core.audit import audit_verify
from port2port.core.demo.seed import seed_demo
from port2port.core.models import User
from port2port.sharing import demo, selectors
from port2port.sharing.models import Article, Bulletin, CommitteeMember, Meeting


@pytest.mark.django_db
def test_the_demo_seeds_the_library_committees_and_bulletins() -> None:
    seed_demo()
    counts = demo.seed()
    assert counts == {
        "articles": len(demo.ARTICLES),
        "committee seats": 6,
        "meetings": 3,
        "bulletins": 2,
    }
    assert Article.objects.count() == len(demo.ARTICLES)
    assert CommitteeMember.objects.count() == 6
    assert Meeting.objects.filter(committee__code="lcmb-antwerp").count() == 3
    assert sorted(Bulletin.objects.values_list("tlp", flat=True)) == ["amber", "green"]
    chair = User.objects.get(username="pso.antwerp")
    assert [c.code for c in selectors.committee_list_for_user(actor=chair)] == [
        "lcmb-antwerp"
    ]
    assert selectors.committee_may_manage(
        actor=chair, committee=selectors.committee_list_for_user(actor=chair).get()
    )
    assert audit_verify().ok
