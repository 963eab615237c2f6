"""Synonyms of the guide search (data/synonyms.txt): 低保 finds 最低生活保障, 社保 finds
社会保险, whichever way jieba cuts them.

The query's jieba tokens become clauses that must all match; a run of consecutive tokens
spelling a synonym term becomes one clause whose alternatives are the terms of its group,
each as its own tokens (all of which must match). `items._match_ids` turns the clauses into
an FTS5 MATCH (SQLite) or a tsquery (PostgreSQL); the name fallback uses `name_variants`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from digigov.kernel.text import query_tokens

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "synonyms.txt"
MAX_RUN = 6  # tokens joined to look a term up (terms are short)
MAX_GROUP = 8  # alternatives per clause, bounding the query


@dataclass(frozen=True)
class Clause:
    phrase: str  # the query text it stands for
    alternatives: tuple[tuple[str, ...], ...]  # any one, with all of its tokens


def _parse(text: str) -> list[list[str]]:
    groups = []
    for line in text.splitlines():
        terms = [t.strip().lower() for t in line.split("#", 1)[0].split()]
        terms = list(dict.fromkeys(t for t in terms if t))
        if len(terms) > 1:
            groups.append(terms)
    return groups


@lru_cache(maxsize=1)
def synonym_groups() -> dict[str, tuple[str, ...]]:
    """term -> every term of its group (groups sharing a term are merged), itself first."""
    merged: dict[str, list[str]] = {}
    for terms in _parse(DATA_FILE.read_text(encoding="utf-8")):
        group: list[str] = []
        for term in terms:
            for other in merged.get(term, [term]):
                if other not in group:
                    group.append(other)
        for term in group:
            merged[term] = group
    return {
        term: (term, *(t for t in group if t != term))[:MAX_GROUP] for term, group in merged.items()
    }


def query_clauses(tokens: list[str]) -> list[Clause]:
    """The clauses of a query's tokens (in order; longest synonym term first)."""
    groups = synonym_groups()
    clauses: list[Clause] = []
    index = 0
    while index < len(tokens):
        for end in range(min(len(tokens), index + MAX_RUN), index, -1):
            phrase = "".join(tokens[index:end])
            group = groups.get(phrase)
            if group is None:
                continue
            alternatives = [tuple(tokens[index:end])]
            for term in group[1:]:
                cut = tuple(query_tokens(term))
                if cut and cut not in alternatives:
                    alternatives.append(cut)
            clauses.append(Clause(phrase=phrase, alternatives=tuple(alternatives)))
            index = end
            break
        else:
            clauses.append(_within_token(tokens[index], groups))
            index += 1
    return clauses


def _within_token(token: str, groups: dict[str, tuple[str, ...]]) -> Clause:
    """A token that holds a term (jieba keeps 低保金 whole): the token, or the token with the
    term replaced by each synonym, cut again."""
    term = next((t for t in _terms_longest_first() if t in token and t != token), None)
    alternatives = [(token,)]
    if term is not None:
        for other in groups[term][1:]:
            cut = tuple(query_tokens(token.replace(term, other, 1)))
            if cut and cut not in alternatives:
                alternatives.append(cut)
    return Clause(phrase=token, alternatives=tuple(alternatives))


@lru_cache(maxsize=1)
def _terms_longest_first() -> tuple[str, ...]:
    return tuple(sorted((t for t in synonym_groups() if len(t) >= 2), key=len, reverse=True))


def name_variants(raw: str, clauses: list[Clause]) -> list[str]:
    """The raw query, then the raw query with each synonym term in it replaced by the others
    (for the name-contains fallback and the ranking)."""
    variants = [raw]
    lowered = raw.lower()
    groups = synonym_groups()
    for clause in clauses:
        if len(clause.alternatives) < 2:
            continue
        term = clause.phrase if clause.phrase in groups else None
        if term is None:
            term = next((t for t in _terms_longest_first() if t in clause.phrase), None)
        if term is None or term not in lowered:
            continue
        for other in groups[term][1:]:
            variant = lowered.replace(term, other)
            if variant not in variants:
                variants.append(variant)
    return variants
