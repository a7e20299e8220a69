"""Amounts of money in English and Portuguese text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.money import money_spans, parse_money

B = 10**9
M = 10**6

CASES = [
    # hyphenated scales and currencies named by words of other countries
    ("$4-billion", "en", 4 * B, "USD", False),
    ("US$2-billion", "en", 2 * B, "USD", False),
    ("1.5 billion Saudi riyals", "en", Decimal("1.5") * B, "SAR", False),
    ("10 bilhões de riais sauditas", "pt", 10 * B, "SAR", False),
    ("380bn yuan", "en", 380 * B, "CNY", False),
    ("R$ 14,7 bi", "pt", Decimal("14.7") * B, "BRL", False),
    # English: symbols, codes, scale words and abbreviations
    ("$100 billion", "en", 100 * B, "USD", False),
    ("€2bn", "en", 2 * B, "EUR", False),
    ("2 billion euros", "en", 2 * B, "EUR", False),
    ("1 trillion yuan", "en", 10**12, "CNY", False),
    ("¥1 trillion", "en", 10**12, "JPY", False),
    ("¥1 trillion in renminbi", "en", 10**12, "CNY", False),
    ("RMB 100 billion", "en", 100 * B, "CNY", False),
    ("CNY 5bn", "en", 5 * B, "CNY", False),
    ("£1.5bn", "en", Decimal("1.5") * B, "GBP", False),
    ("A$ 3 billion", "en", 3 * B, "AUD", False),
    ("C$500 million", "en", 500 * M, "CAD", False),
    ("USD 40 million", "en", 40 * M, "USD", False),
    ("$1.5bn", "en", 1500 * M, "USD", False),
    ("$1,500,000", "en", 1500000, "USD", False),
    ("$294,000", "en", 294000, "USD", False),
    ("$5.6 million", "en", 5600000, "USD", False),
    ("$60", "en", 60, "USD", False),
    ("$5m", "en", 5 * M, "USD", False),
    ("$5mn", "en", 5 * M, "USD", False),
    ("$2b", "en", 2 * B, "USD", False),
    ("$500k", "en", 500000, "USD", False),
    ("a billion dollars", "en", B, "USD", False),
    ("3 billion Hong Kong dollars", "en", 3 * B, "HKD", False),
    ("50 billion yen", "en", 50 * B, "JPY", False),
    ("10 million rupees", "en", 10 * M, "INR", False),
    ("5 trillion won", "en", 5 * 10**12, "KRW", False),
    ("200 million pounds", "en", 200 * M, "GBP", False),
    ("Rs 5,000 crore", "en", 5000 * 10**7, "INR", False),
    ("up to $100 billion", "en", 100 * B, "USD", True),
    ("as much as $5 billion", "en", 5 * B, "USD", True),
    ("$10 billion to $20 billion", "en", 20 * B, "USD", True),
    ("between $10 billion and $20 billion", "en", 20 * B, "USD", True),
    ("$10-20 billion", "en", 20 * B, "USD", True),
    ("10 to 20 billion dollars", "en", 20 * B, "USD", True),
    # Portuguese (Brazil and Portugal)
    ("US$ 500 bilhões", "pt", 500 * B, "USD", False),
    ("U$ 2 bi", "pt", 2 * B, "USD", False),
    ("R$ 23 bi", "pt", 23 * B, "BRL", False),
    ("R$ 23 bilhões", "pt", 23 * B, "BRL", False),
    ("€ 2 mil milhões", "pt-PT", 2 * B, "EUR", False),
    ("2 mil milhões de euros", "pt-PT", 2 * B, "EUR", False),
    ("1 bilião de euros", "pt-PT", 10**12, "EUR", False),
    ("1 trilhão de yuans", "pt", 10**12, "CNY", False),
    ("HK$ 10 bilhões", "pt", 10 * B, "HKD", False),
    ("40 milhões de dólares", "pt", 40 * M, "USD", False),
    ("US$ 6,3 bilhões", "pt", 6300 * M, "USD", False),
    ("US$ 1.500.000", "pt", 1500000, "USD", False),
    ("US$ 294 mil", "pt", 294000, "USD", False),
    ("5,6 milhões de dólares", "pt", 5600000, "USD", False),
    ("US$ 2.048", "pt", 2048, "USD", False),
    ("US$ 2.5 bilhões", "pt-BR", 2500 * M, "USD", False),
    ("R$ 1.234,56", "pt-BR", Decimal("1234.56"), "BRL", False),
    ("3 milhões de dólares de Hong Kong", "pt", 3 * M, "HKD", False),
    ("7 bilhões de dólares australianos", "pt", 7 * B, "AUD", False),
    ("10 milhões de francos suíços", "pt", 10 * M, "CHF", False),
    ("300 milhões de libras", "pt", 300 * M, "GBP", False),
    ("um bilhão de reais", "pt", B, "BRL", False),
    ("2 mil dólares", "pt", 2000, "USD", False),
    ("500 €", "pt-PT", 500, "EUR", False),
    ("1 500 000 €", "pt-PT", 1500000, "EUR", False),
    ("até US$ 100 bilhões", "pt", 100 * B, "USD", True),
    ("no máximo R$ 2 bilhões", "pt", 2 * B, "BRL", True),
    ("entre US$ 10 bilhões e US$ 20 bilhões", "pt", 20 * B, "USD", True),
    ("de 10 a 20 bilhões de dólares", "pt", 20 * B, "USD", True),
    # language unknown: the words decide the number format
    ("US$ 6,3 bilhões", "", 6300 * M, "USD", False),
    ("R$ 1.500 milhões", "und", 1500 * M, "BRL", False),
    ("$1,500 million", "", 1500 * M, "USD", False),
]


@pytest.mark.parametrize(("text", "lang", "amount", "currency", "upper"), CASES)
def test_parse_money(text: str, lang: str, amount: Decimal | int, currency: str, upper: bool) -> None:
    money = parse_money(text, lang)
    assert money is not None
    assert money.amount == Decimal(amount)
    assert money.currency == currency
    assert money.upper_bound is upper
    assert text[money.start : money.end] == money.text


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("100 billion parameters", "en"),
        ("2,048 GPUs", "en"),
        ("2.048 GPUs", "pt"),
        ("17%", "en"),
        ("2025", "en"),
        ("R1", "en"),
        ("$", "en"),
        ("US", "en"),
        ("US$", "pt"),
        ("100 bilhões de parâmetros", "pt"),
        ("the 2 won the final", "en"),
        ("5m euros", "en"),  # a bare "m" needs a currency symbol before it
        ("", "en"),
    ],
)
def test_no_money(text: str, lang: str) -> None:
    assert money_spans(text, lang) == []
    assert parse_money(text, lang) is None


def test_offsets_and_text() -> None:
    text = "DeepSeek said it spent $5.6 million, while OpenAI plans up to $100 billion."
    first, second = money_spans(text)
    assert (first.text, first.start, first.end) == ("$5.6 million", 23, 35)
    assert text[first.start : first.end] == first.text
    assert second.text == "$100 billion"  # the qualifier is not part of the span
    assert second.upper_bound and not first.upper_bound


def test_several_amounts_in_one_sentence_pt() -> None:
    text = "A empresa investiu R$ 23 bilhões em 2024, US$ 6,3 bilhões no exterior e 40 milhões de euros na Europa."
    found = money_spans(text, "pt")
    assert [(m.text, m.amount, m.currency) for m in found] == [
        ("R$ 23 bilhões", Decimal(23 * B), "BRL"),
        ("US$ 6,3 bilhões", Decimal(6300 * M), "USD"),
        ("40 milhões de euros", Decimal(40 * M), "EUR"),
    ]
    assert all(text[m.start : m.end] == m.text for m in found)


def test_several_amounts_in_one_sentence_en() -> None:
    text = "Revenue rose from $10 billion to $20 billion; the 2,048 GPUs cost €2bn and £1.5bn, or ¥300 billion."
    found = money_spans(text)
    assert [(m.text, m.currency) for m in found] == [
        ("$10 billion", "USD"),  # "from ... to" is a change, not a range
        ("$20 billion", "USD"),
        ("€2bn", "EUR"),
        ("£1.5bn", "GBP"),
        ("¥300 billion", "JPY"),
    ]


def test_range_covers_both_ends() -> None:
    text = "Analysts expect $10-20 billion in new capacity."
    (money,) = money_spans(text)
    assert money.text == "$10-20 billion"
    assert money.amount == Decimal(20 * B) and money.upper_bound


def test_amounts_are_normalised() -> None:
    one = parse_money("$1.5bn")
    other = parse_money("US$ 1.500 milhões", "pt")
    assert one is not None and other is not None
    assert one.amount == other.amount == Decimal("1500000000")
    assert str(one.amount) == str(other.amount) == "1500000000"
    cents = parse_money("R$ 2,50", "pt")
    assert cents is not None and str(cents.amount) == "2.5"


def test_portuguese_thousands_need_a_currency() -> None:
    assert money_spans("Foram usadas 2.048 GPUs.", "pt") == []
    money = parse_money("custou US$ 2.048", "pt")
    assert money is not None and money.amount == Decimal(2048)


TOKENS = [*"0123456789.,$€£¥ -–RUSDHKbmkntoae", " bilhões", " mil", " de", " até", " billion", " up to"]
MONEYISH = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)


@given(st.one_of(st.text(max_size=200), MONEYISH))
def test_spans_are_well_formed(text: str) -> None:
    for lang in ("en", "pt", ""):
        found = money_spans(text, lang)
        previous_end = 0
        for m in found:
            assert 0 <= previous_end <= m.start < m.end <= len(text)
            assert m.text == text[m.start : m.end]
            assert isinstance(m.amount, Decimal)
            previous_end = m.end
