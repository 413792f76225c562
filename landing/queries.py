"""What people type into the search box: what they look for, what the site lacks, and PII.

Queries come from the vocabulary in the visitor's language, as typed (lower case) or
capitalised; a share carry a phone number, e-mail address, IIN or card number, alone or
after the words, which is why the warehouse scrubs search text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landing.pii import card_numbers, email_addresses, iins, phone_numbers
from landing.vocabulary import KINDS, LANGUAGES, ZERO_RESULT_QUERIES

PII_KINDS: tuple[str, ...] = ("phone", "email", "iin", "card")


@dataclass(frozen=True)
class QueryTable:
    """Every vocabulary query, grouped by (kind, language); kind -1 finds nothing."""

    texts: list[str]
    start: np.ndarray  # per group (kind + 1) * languages + language
    size: np.ndarray

    @classmethod
    def build(cls) -> QueryTable:
        texts: list[str] = []
        groups = (len(KINDS) + 1) * len(LANGUAGES)
        start = np.zeros(groups, dtype=np.int64)
        size = np.zeros(groups, dtype=np.int64)
        tables = [ZERO_RESULT_QUERIES] + [kind.queries for kind in KINDS]
        for position, table in enumerate(tables):
            for language_code, language in enumerate(LANGUAGES):
                group = position * len(LANGUAGES) + language_code
                words = table.get(language, ())
                start[group] = len(texts)
                for text in words:
                    texts += [text, text[:1].upper() + text[1:]]
                size[group] = len(texts) - start[group]
        return cls(texts, start, size)

    def pick(self, rng: np.random.Generator, kind: np.ndarray, language: np.ndarray) -> np.ndarray:
        """A query per search for listings of `kind` (-1: something the site lacks)."""
        group = (kind + 1) * len(LANGUAGES) + language
        if (self.size[group] == 0).any():
            raise ValueError("no query for a searched kind and language")
        return self.start[group] + (rng.random(len(group)) * self.size[group]).astype(np.int64)


def personal_data(
    rng: np.random.Generator, count: int, card_share: float
) -> tuple[list[str], np.ndarray]:
    """`count` pieces of personal data as typed, and which of PII_KINDS each is."""
    rest = (1 - card_share) / 3
    kinds = rng.choice(len(PII_KINDS), size=count, p=[rest, rest, rest, card_share])
    makers = (phone_numbers, email_addresses, iins, card_numbers)
    texts = [""] * count
    for code, make in enumerate(makers):
        rows = np.flatnonzero(kinds == code)
        for row, text in zip(rows, make(rng, len(rows)), strict=True):
            texts[row] = text
    return texts, kinds
