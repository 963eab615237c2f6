"""Chinese full-text tokens (jieba, via digigov.kernel.text): datasets keep their tokens in
`search_text`, matched by an FTS5 table on SQLite and a tsvector expression index on PostgreSQL."""

from __future__ import annotations

from digigov.kernel.text import MAX_QUERY_TOKENS, add_domain_words, text_tokens
from digigov.kernel.text import query_tokens as _kernel_query_tokens

__all__ = ["MAX_QUERY_TOKENS", "query_tokens", "text_tokens"]

add_domain_words(("开放数据", "充电桩", "养老机构", "经营异常", "食品经营", "数据开放", "公共数据"))


def query_tokens(query: str) -> list[str]:
    """Query tokens (jieba precise mode): every one must match."""
    return _kernel_query_tokens(query, max_chars=200)
