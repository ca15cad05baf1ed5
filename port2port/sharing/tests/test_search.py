"""The library's full-text search, on whichever database the suite runs."""

from __future__ import annotations

import pytest
from django.db import connection

from port2port.sharing import search, selectors, services
from port2port.sharing.demo import ARTICLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def library() -> None:
    for article in ARTICLES:
        services.article_save(actor=None, **article)


def _slugs(q: str) -> list[str]:
    return [a.slug for a in selectors.article_list(q=q)]


def test_the_backend_follows_the_database() -> None:
    expected = (
        search.PostgresSearch
        if connection.vendor == "postgresql"
        else search.SqliteSearch
    )
    assert isinstance(search.backend(), expected)


def test_words_are_stemmed_and_ranked(library: None) -> None:
    assert _slugs("fences")[0] == "smart-perimeter-fencing"
    assert _slugs("anonymous reporting")[0] == "portwatch"
    assert "certified-pick-up" in _slugs("container release")


def test_every_word_must_match_and_operators_are_plain_words(library: None) -> None:
    assert _slugs("portwatch drones") == []
    assert _slugs('NEAR(xyzzy* "qqq" OR') == []
    assert _slugs("") == [a.slug for a in selectors.article_list()]


def test_an_updated_article_is_found_by_its_new_words(library: None) -> None:
    services.article_save(
        actor=None,
        slug="portwatch",
        title="Portwatch",
        summary="Anonymous reporting point.",
        body="Now with a zeppelin.",
        theme="reporting",
    )
    assert _slugs("zeppelin") == ["portwatch"]
    assert _slugs("Our Port Drug-Free neighbourhood") != ["portwatch"]
