"""Amounts: which money span of a sentence, if any, belongs to an investment.

Each (investment, amount in its sentence) pair is a candidate of its own, scored by the model's
`AMOUNT` column from features that carry over: where the amount stands against the investor and
the investee, which named end is nearest, the words around it ("each", "cada", "total", "round",
"valuation"), how many amounts and investors the sentence has, and whether the patterns gave it this
amount. The best-scoring amount over the threshold is the investment's; a total shared by several
investors then scores low for each of them, and "US$ 15 bilhões cada" high for every one.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .features import _bucket

AMOUNT = "amount"  # the model's column for amount candidates
AROUND = 3  # words taken either side of an amount


def in_sentence(result: Any, row: Any) -> list[int]:
    """Indexes (into `result.money`) of the amounts inside the sentence of `row`."""
    first = bisect.bisect_left(result.money_starts, row.sentence_start)
    last = bisect.bisect_left(result.money_starts, row.sentence_end)
    return [i for i in range(first, last) if result.money[i].end <= row.sentence_end]


def _side(position: int, end: Any) -> str:
    if end.start == end.end:
        return "unplaced"
    if position < end.start:
        return "before"
    return "after" if position >= end.end else "inside"


def amount_features(row: Any, result: Any, index: int, words: Sequence[str], investors: int) -> list[str]:
    """The features of the amount `result.money[index]` for the investment of `row`."""
    m = result.money[index]
    start, end = result.money_tokens[index]
    c = row.candidate
    s, o = c.subject, c.object
    out = [f"a:s:{_side(start, s)}", f"a:o:{_side(start, o)}", f"a:so:{_side(start, s)}:{_side(start, o)}"]
    for tag, e in (("s", s), ("o", o)):
        if e.start != e.end:
            gap = e.start - end if start < e.start else start - e.end
            out.append(f"a:dist:{tag}:{_bucket(max(gap, 0))}")
    spans = in_sentence(result, row)
    out.append(f"a:count:{_bucket(len(spans))}")
    if spans and spans[0] == index:
        out.append("a:first")
    if spans and spans[-1] == index:
        out.append("a:last")
    out.append(f"a:investors:{_bucket(investors)}")
    out.append(f"a:cur:{m.currency}")
    if m.upper_bound:
        out.append("a:upto")
    for k in range(1, AROUND + 1):
        if start - k >= c.start:
            out.append(f"a:l{k}:{words[start - k]}")
        if end + k - 1 < c.end:
            out.append(f"a:r{k}:{words[end + k - 1]}")
    # the words between the amount and the investor
    if s.start != s.end:
        lo, hi = (end, s.start) if start < s.start else (s.end, start)
        between = list(words[lo:hi])[:6]
        out += [f"a:bs:{w}" for w in between]
        if not between:
            out.append("a:bs:none")
    rule = result.rule_amounts.get((s.key, o.key, c.sentence))
    if rule is None:
        out.append("a:rule:none")
    else:
        out.append("a:rule:this" if rule == (m.amount, m.currency) else "a:rule:other")
    return out


def investors_in(result: Any, row: Any) -> int:
    """How many ends of the sentence could invest in the object of `row`."""
    c = row.candidate
    return len(result.investors.get((c.sentence, c.object.key), ()))


def attach(row: Any, result: Any, words: Sequence[str], model: Any) -> tuple[Decimal | None, str]:
    """The amount of the investment in `row`, or (None, "") when the sentence gives it none."""
    spans = in_sentence(result, row)
    if not spans:
        return None, ""
    if AMOUNT not in model.relations:  # a model without an amount column: the patterns' amount
        c = row.candidate
        return result.rule_amounts.get((c.subject.key, c.object.key, c.sentence), (None, ""))
    investors = investors_in(result, row)
    column = model.relations.index(AMOUNT)
    scores = model.probabilities([amount_features(row, result, i, words, investors) for i in spans])[:, column]
    best = max(range(len(spans)), key=lambda k: (scores[k], -k))
    if scores[best] < model.thresholds.get(AMOUNT, 0.5):
        return None, ""
    m = result.money[spans[best]]
    return m.amount, m.currency
