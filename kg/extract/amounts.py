"""Amounts: which money span of a sentence, if any, an investment states."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def in_sentence(money: Any, start: int, end: int) -> list[Any]:
    """The money spans between character offsets `start` and `end`."""
    return [m for m in money if start <= m.start and m.end <= end]


def attach(row: Any, result: Any, text: str) -> tuple[Decimal | None, str]:
    """The amount of the investment in `row`: the sentence's only amount, else none."""
    spans = in_sentence(result.money, row.sentence_start, row.sentence_end)
    if len(spans) == 1:
        return spans[0].amount, spans[0].currency
    return None, ""
