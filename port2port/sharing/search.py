"""Full-text search of the best-practice library, on SQLite and on PostgreSQL.

One interface, two implementations chosen by the database in use:

- SQLite: an FTS5 table ``sharing_article_fts`` (rowid = article id) with the
  Porter stemmer, kept in step by ``article_index`` and ``article_unindex``;
- PostgreSQL: ``to_tsvector('english', …)`` over the article's own columns,
  backed by a GIN expression index (migration ``0002``), so nothing needs to be
  kept in step.

Both turn the user's words into an AND of stemmed terms and rank the results.
"""

from __future__ import annotations

import re
from typing import Protocol

from django.db import connection

from port2port.sharing.models import Article

# The PostgreSQL document; the migration's index uses the same expression.
PG_DOCUMENT = (
    "to_tsvector('english', coalesce(title, '') || ' ' || coalesce(summary, '') "
    "|| ' ' || coalesce(body, '') || ' ' || coalesce(\"where\", '') || ' ' "
    "|| coalesce(contact, '') || ' ' || coalesce(results, ''))"
)
MAX_RESULTS = 200


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())[:12]


class ArticleSearch(Protocol):
    def index(self, article: Article) -> None: ...

    def unindex(self, article_id: int) -> None: ...

    def query(self, text: str) -> list[int]: ...


class SqliteSearch:
    """FTS5 with the Porter stemmer and accents removed."""

    def index(self, article: Article) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM sharing_article_fts WHERE rowid = %s", [article.pk]
            )
            cursor.execute(
                "INSERT INTO sharing_article_fts(rowid, title, body) VALUES (%s, %s, %s)",
                [article.pk, article.title, article.search_text()],
            )

    def unindex(self, article_id: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM sharing_article_fts WHERE rowid = %s", [article_id]
            )

    def query(self, text: str) -> list[int]:
        words = _words(text)
        if not words:
            return []
        # Each word is quoted, so that FTS5 operators typed by a user are only words.
        expression = " ".join('"' + w.replace('"', "") + '"' for w in words)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM sharing_article_fts WHERE sharing_article_fts MATCH %s "
                "ORDER BY bm25(sharing_article_fts, 5.0, 1.0) LIMIT %s",
                [expression, MAX_RESULTS],
            )
            return [row[0] for row in cursor.fetchall()]


class PostgresSearch:
    """PostgreSQL full-text search with the English configuration."""

    def index(self, article: Article) -> None:
        """Nothing to do: the expression index follows the row."""

    def unindex(self, article_id: int) -> None:
        """Nothing to do: the expression index follows the row."""

    def query(self, text: str) -> list[int]:
        words = _words(text)
        if not words:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM sharing_article WHERE {PG_DOCUMENT} "  # noqa: S608 - a constant
                "@@ plainto_tsquery('english', %s) "
                f"ORDER BY ts_rank({PG_DOCUMENT}, plainto_tsquery('english', %s)) DESC, "
                "id LIMIT %s",
                [" ".join(words), " ".join(words), MAX_RESULTS],
            )
            return [row[0] for row in cursor.fetchall()]


def backend() -> ArticleSearch:
    """Return the implementation for the database in use."""
    if connection.vendor == "postgresql":
        return PostgresSearch()
    return SqliteSearch()


def article_index(article: Article) -> None:
    backend().index(article)


def article_unindex(article_id: int) -> None:
    backend().unindex(article_id)


def article_search(text: str) -> list[int]:
    """Return the ids of the articles that match ``text``, best first."""
    return backend().query(text)
