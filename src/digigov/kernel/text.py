"""Chinese full-text tokens (jieba), shared by every app that keeps a `search_text`.

jieba's dictionary is process-global, so each app registers its domain words once, at import,
with `add_domain_words`; every app then tokenizes with the union of them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

_PUNCTUATION = re.compile(r"^[\W_]+$", re.UNICODE)
_DOMAIN_WORDS: dict[str, None] = {}
MAX_QUERY_TOKENS = 12


def add_domain_words(words: Iterable[str]) -> None:
    """Teach jieba words it must not split (e.g. 营业执照); idempotent."""
    new = [w for w in words if w and w not in _DOMAIN_WORDS]
    if not new:
        return
    for word in new:
        _DOMAIN_WORDS[word] = None
    if _jieba.cache_info().currsize:
        jieba = _jieba()
        for word in new:
            jieba.add_word(word, freq=200000)
        # Cached queries were cut with the old dictionary.
        _query_tokens.cache_clear()


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


def query_tokens(query: str, *, max_chars: int | None = None) -> list[str]:
    """Query tokens (jieba precise mode), at most MAX_QUERY_TOKENS: every one must match.
    `max_chars` bounds the text cut (long pasted queries)."""
    query = query.lower().strip()
    if max_chars is not None:
        query = query[:max_chars]
    return list(_query_tokens(query))
