"""Chinese full-text tokens (jieba): datasets keep their tokens in `search_text`, matched by
an FTS5 table on SQLite and a tsvector expression index on PostgreSQL."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

_PUNCTUATION = re.compile(r"^[\W_]+$", re.UNICODE)
_DOMAIN_WORDS = ("开放数据", "充电桩", "养老机构", "经营异常", "食品经营", "数据开放", "公共数据")
MAX_QUERY_TOKENS = 12


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in _DOMAIN_WORDS:
        jieba.add_word(word, freq=200000)
    jieba.initialize()
    return jieba


def _keep(token: str) -> bool:
    token = token.strip()
    return bool(token) and not _PUNCTUATION.match(token)


def text_tokens(*texts: str) -> list[str]:
    """Index tokens (jieba search mode: words and their sub-words), deduplicated, in order."""
    jieba = _jieba()
    seen: dict[str, None] = {}
    for text in texts:
        if not text:
            continue
        for token in jieba.cut_for_search(text.lower()):
            if _keep(token):
                seen.setdefault(token.strip(), None)
    return list(seen)


@lru_cache(maxsize=2048)
def _query_tokens(query: str) -> tuple[str, ...]:
    jieba = _jieba()
    seen: dict[str, None] = {}
    for token in jieba.cut(query):
        if _keep(token):
            seen.setdefault(token.strip(), None)
    return tuple(seen)[:MAX_QUERY_TOKENS]


def query_tokens(query: str) -> list[str]:
    """Query tokens (jieba precise mode): every one must match."""
    return list(_query_tokens(query.lower().strip()[:200]))
