"""The search index of published datasets: `search_text` holds jieba tokens; PostgreSQL
matches it through a GIN expression index, SQLite through the FTS5 table kept here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from ..models import OpenDataset, Theme
from ..selectors.search import FTS_TABLE
from ..selectors.text import text_tokens


def search_text_of(dataset: OpenDataset, *, tags: Iterable[str], organization_name: str) -> str:
    return " ".join(
        text_tokens(
            dataset.title,
            dataset.notes,
            " ".join(tags),
            organization_name,
            Theme(dataset.theme).label if dataset.theme in Theme.values else "",
        )
    )


def search_index_sync(*, entries: list[tuple[str, str]], remove: list[str] = ()) -> None:
    """(dataset id hex, search text) entries in; removed ids out (SQLite only)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        gone = [*remove, *(e[0] for e in entries)]
        if gone:
            cursor.executemany(
                f"DELETE FROM {FTS_TABLE} WHERE dataset_id = %s",  # noqa: S608
                [[i] for i in gone],
            )
        if entries:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (dataset_id, search_text) VALUES (%s, %s)",  # noqa: S608
                [list(e) for e in entries],
            )
