"""Amounts of money in English and Portuguese (Brazil and Portugal) text.

Everything is table-driven: scale words, currency symbols, codes and words, the qualifiers
that mark an upper bound and the words that join a range live in the dictionaries below,
and one set of regular expressions per language is compiled from them at import.

Decisions worth knowing:

- Only amounts with a currency are returned: "100 billion parameters" and "2,048 GPUs" are not money.
- "¥" is JPY unless "yuan", "renminbi", "RMB" or "CNY" occurs within 100 characters (or `lang`
  is "zh"); a bare "$" is USD; "dólares de Hong Kong", "A$" and the like are specific.
- Portuguese scales: "mil" = 1e3, "mil milhões" = 1e9 (Portugal), "bilhão" = 1e9 (Brazil),
  "bilião" = 1e12 (Portugal, long scale), "trilhão" = 1e12, "trilião" = 1e18.
- "k", "m" and "b" count as scales only glued to a number after a currency symbol ("$5m");
  "mn", "bn", "tn", "mi", "bi" and "tri" count wherever a currency is present.
- Number format: in Portuguese "1.500" is 1500 and "6,3" is 6.3; in English "1,500" is 1500 and
  "6.3" is 6.3. With both separators the last one is the decimal mark; a repeated separator groups
  thousands; a single separator followed by other than three digits is a decimal mark ("US$ 2.5
  bilhões"); spaces group thousands ("1 500 000 €"). When `lang` is neither English nor Portuguese,
  the language of the currency or scale word decides (English when nothing tells).
- A range ("$10 billion to $20 billion", "entre US$ 10 e 20 bilhões", "$10-20 billion") is one
  Money spanning the whole range, valued at its upper end with `upper_bound=True`. "from $10 to
  $20" (a change, not a range) stays two amounts.
- "up to", "as much as", "até", "no máximo" and similar words just before an amount set
  `upper_bound=True`; the span still covers only the amount.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from typing import TypeVar

from kg.records import Money

__all__ = ["money_spans", "parse_money"]

V = TypeVar("V")

# Scale words, as powers of ten.
SCALE_WORDS: dict[str, dict[str, int]] = {
    "en": {
        "thousand": 3,
        "million": 6,
        "mln": 6,
        "mn": 6,
        "billion": 9,
        "bln": 9,
        "bn": 9,
        "trillion": 12,
        "trn": 12,
        "tn": 12,
        "lakh": 5,
        "lakhs": 5,
        "crore": 7,
        "crores": 7,
    },
    "pt": {
        "mil": 3,
        "milhar": 3,
        "milhares": 3,
        "milhão": 6,
        "milhao": 6,
        "milhões": 6,
        "milhoes": 6,
        "mi": 6,
        "mil milhões": 9,
        "mil milhoes": 9,
        "bilhão": 9,
        "bilhao": 9,
        "bilhões": 9,
        "bilhoes": 9,
        "bi": 9,
        "bilião": 12,
        "biliões": 12,
        "trilhão": 12,
        "trilhao": 12,
        "trilhões": 12,
        "trilhoes": 12,
        "tri": 12,
        "trilião": 18,
        "triliões": 18,
    },
}
# Glued to a number after a currency symbol only: "$5m", "$2b", "$500k".
SCALE_LETTERS: dict[str, int] = {"k": 3, "m": 6, "b": 9}

# Small number words, read only when a scale word follows ("a billion dollars", "dois bilhões").
NUMBER_WORDS: dict[str, dict[str, int]] = {
    "en": {
        "a": 1,
        "an": 1,
        "one": 1,
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
    },
    "pt": {
        "um": 1,
        "uma": 1,
        "dois": 2,
        "duas": 2,
        "três": 3,
        "quatro": 4,
        "cinco": 5,
        "seis": 6,
        "sete": 7,
        "oito": 8,
        "nove": 9,
        "dez": 10,
        "cem": 100,
    },
}

# Symbols written before the number (case-sensitive).
CURRENCY_SYMBOLS: dict[str, str] = {
    "US$": "USD",
    "U$": "USD",
    "R$": "BRL",
    "HK$": "HKD",
    "A$": "AUD",
    "AU$": "AUD",
    "C$": "CAD",
    "CA$": "CAD",
    "NZ$": "NZD",
    "S$": "SGD",
    "NT$": "TWD",
    "MX$": "MXN",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "Rs.": "INR",
    "Rs": "INR",
}
# ISO codes (and RMB), before or after the number (case-sensitive).
CURRENCY_CODES: dict[str, str] = {
    code: code
    for code in ("USD EUR GBP JPY CNY BRL HKD INR KRW AUD CAD CHF SGD TWD NZD MXN RUB ZAR SEK NOK DKK").split()
} | {"RMB": "CNY"}
# Currencies named by words after the number (case-insensitive).
CURRENCY_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "dollars": "USD",
        "dollar": "USD",
        "us dollars": "USD",
        "u.s. dollars": "USD",
        "american dollars": "USD",
        "hong kong dollars": "HKD",
        "australian dollars": "AUD",
        "canadian dollars": "CAD",
        "singapore dollars": "SGD",
        "new zealand dollars": "NZD",
        "taiwan dollars": "TWD",
        "new taiwan dollars": "TWD",
        "euros": "EUR",
        "euro": "EUR",
        "yuan": "CNY",
        "renminbi": "CNY",
        "pounds sterling": "GBP",
        "pounds": "GBP",
        "pound": "GBP",
        "sterling": "GBP",
        "yen": "JPY",
        "rupees": "INR",
        "rupee": "INR",
        "won": "KRW",
        "swiss francs": "CHF",
        "reais": "BRL",
        "rubles": "RUB",
        "roubles": "RUB",
        "saudi riyals": "SAR",
        "riyals": "SAR",
        "riyal": "SAR",
        "qatari riyals": "QAR",
        "dirhams": "AED",
        "dirham": "AED",
        "emirati dirhams": "AED",
        "ringgit": "MYR",
        "rupiah": "IDR",
        "swedish kronor": "SEK",
        "norwegian kroner": "NOK",
        "danish kroner": "DKK",
        "zloty": "PLN",
        "shekels": "ILS",
        "pesos": "MXN",
    },
    "pt": {
        "dólares": "USD",
        "dólar": "USD",
        "dolares": "USD",
        "dolar": "USD",
        "dólares americanos": "USD",
        "dólares norte-americanos": "USD",
        "dólares dos eua": "USD",
        "dólares de hong kong": "HKD",
        "dólares australianos": "AUD",
        "dólares canadenses": "CAD",
        "dólares canadianos": "CAD",
        "dólares de singapura": "SGD",
        "euros": "EUR",
        "euro": "EUR",
        "reais": "BRL",
        "real": "BRL",
        "yuans": "CNY",
        "yuan": "CNY",
        "iuanes": "CNY",
        "iuans": "CNY",
        "renminbi": "CNY",
        "libras esterlinas": "GBP",
        "libras": "GBP",
        "libra": "GBP",
        "ienes": "JPY",
        "iene": "JPY",
        "rúpias": "INR",
        "rupias": "INR",
        "wons": "KRW",
        "won": "KRW",
        "francos suíços": "CHF",
        "franco suíço": "CHF",
        "rublos": "RUB",
        "riais sauditas": "SAR",
        "riais": "SAR",
        "rial saudita": "SAR",
        "dirhams": "AED",
        "dirhans": "AED",
        "ringgits": "MYR",
        "coroas suecas": "SEK",
        "pesos mexicanos": "MXN",
    },
}
# Symbols and words that name a currency loosely; a more specific one beside them wins.
GENERIC_CURRENCY = {"$", "¥", "dollars", "dollar", "dólares", "dólar", "dolares", "dolar"}
# Words that only a Portuguese writer puts next to an amount (for the number format).
PORTUGUESE_SYMBOLS = {"R$", "U$"}

# Words just before an amount that make it an upper bound.
UPPER_QUALIFIERS: dict[str, tuple[str, ...]] = {
    "en": (
        "up to",
        "as much as",
        "as high as",
        "at most",
        "no more than",
        "not more than",
        "a maximum of",
        "maximum of",
        "less than",
    ),
    "pt": ("até", "no máximo", "máximo de", "menos de", "não mais de", "não mais que"),
}
# Words joining the two ends of a range; those in BETWEEN_JOINERS need "between"/"entre" before.
RANGE_JOINERS: dict[str, tuple[str, ...]] = {"en": ("to", "and"), "pt": ("a", "até", "e")}
BETWEEN_JOINERS = {"and", "e"}
BETWEEN_WORDS: dict[str, tuple[str, ...]] = {"en": ("between",), "pt": ("entre",)}
CHANGE_WORDS: dict[str, tuple[str, ...]] = {"en": ("from",), "pt": ()}  # "from $10 to $20" is no range
DASHES = ("-", "–", "—")

_SP = r"[ \t\u00a0\u202f\u2009]"
_NUMBER = r"\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)*"
_YUAN_NEARBY = re.compile(r"yuan|renminbi|\bRMB\b|\bCNY\b|iuan", re.IGNORECASE)
_YUAN_WINDOW = 100
_MAX_DIGITS = 30
_CONTEXT = Context(prec=80)


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of `words`, longest first, with spaces matching any run of spaces."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", _SP + "+") for w in ordered)


def _key(words: str) -> str:
    """Lower-case `words` with single spaces, for table look-ups."""
    return " ".join(words.lower().split())


def _merged(tables: Mapping[str, Mapping[str, V]], langs: tuple[str, ...]) -> dict[str, V]:
    """The union of the per-language `tables` for `langs`."""
    out: dict[str, V] = {}
    for lang in langs:
        out.update(tables[lang])
    return out


@dataclass(frozen=True)
class _Grammar:
    """The tables and compiled patterns for one language (or for both, when unknown)."""

    lang: str  # "en", "pt", or "" for both
    scales: dict[str, int]
    numbers: dict[str, int]
    words: dict[str, str]
    word_lang: dict[str, str]  # scale or currency word -> the only language that uses it
    amount: re.Pattern[str]
    joiner: re.Pattern[str]
    lower: re.Pattern[str]
    upper: re.Pattern[str]
    between: re.Pattern[str]
    change: re.Pattern[str]


def _word_langs() -> dict[str, str]:
    """Scale and currency words used by exactly one of the languages."""
    seen: dict[str, set[str]] = {}
    for table in (SCALE_WORDS, CURRENCY_WORDS):
        for lang, words in table.items():
            for word in words:
                seen.setdefault(word, set()).add(lang)
    return {word: langs.pop() for word, langs in seen.items() if len(langs) == 1}


def _words_before(words: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern for one of `words` ending right where the search ends."""
    if not words:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<!\w)(?:{_alternation(words)}){_SP}*\Z", re.IGNORECASE)


def _build(lang: str) -> _Grammar:
    """Compile the patterns for `lang` ("" means English and Portuguese together)."""
    langs = (lang,) if lang else ("en", "pt")
    scales = _merged(SCALE_WORDS, langs)
    numbers = _merged(NUMBER_WORDS, langs)
    words = _merged(CURRENCY_WORDS, langs)
    scale_re = _alternation(scales)
    symbols = _alternation(CURRENCY_SYMBOLS)
    codes = _alternation(CURRENCY_CODES)
    de = rf"(?P<de>de){_SP}{{1,2}}" if "pt" in langs else r"(?!)"
    amount = re.compile(
        rf"""
        (?: (?<![A-Za-z])(?P<pre>(?-i:{symbols}|(?:{codes})(?![A-Za-z]))){_SP}{{0,2}}
          | (?<![\w.,]) )
        (?: (?P<num>{_NUMBER})
          | (?P<word>(?<!\w)(?:{_alternation(numbers)}))(?={_SP}{{1,2}}(?:{scale_re})(?!\w)) )
        (?: (?P<letter>[kmb])(?!\w)
          | (?:{_SP}{{0,2}}|-)(?P<scale>{scale_re})(?!\w) )?
        (?: {_SP}{{1,2}}(?:{de})?(?P<post>{_alternation(words)})(?!\w)
          | {_SP}{{0,2}}(?P<code>(?-i:(?:{codes})(?![A-Za-z])|€))(?!{_SP}{{0,2}}\d) )?
        """,
        re.IGNORECASE | re.VERBOSE,
    )
    joiners = _alternation(tuple(w for code in langs for w in RANGE_JOINERS[code]))
    joiner_re = rf"(?P<joiner>{_alternation(DASHES)}|(?<!\w)(?:{joiners})(?!\w))"
    joiner = re.compile(rf"{_SP}{{0,2}}{joiner_re}{_SP}{{0,2}}", re.IGNORECASE)
    lower = re.compile(
        rf"(?<![\w.,])(?P<num>{_NUMBER})(?:{_SP}{{0,2}}(?P<scale>{scale_re})(?!\w))?"
        rf"{_SP}{{0,2}}{joiner_re}{_SP}{{0,2}}\Z",
        re.IGNORECASE,
    )
    return _Grammar(
        lang=lang,
        scales=scales,
        numbers=numbers,
        words=words,
        word_lang=_word_langs(),
        amount=amount,
        joiner=joiner,
        lower=lower,
        upper=_words_before(tuple(w for code in langs for w in UPPER_QUALIFIERS[code])),
        between=_words_before(tuple(w for code in langs for w in BETWEEN_WORDS[code])),
        change=_words_before(tuple(w for code in langs for w in CHANGE_WORDS[code])),
    )


_GRAMMARS: dict[str, _Grammar] = {lang: _build(lang) for lang in ("en", "pt", "")}


@dataclass(frozen=True)
class _Amount:
    """One matched amount before ranges and qualifiers are applied."""

    start: int
    end: int
    number: Decimal
    scale: int | None  # power of ten of the scale word, if any
    currency: str | None
    prefixed: bool

    @property
    def value(self) -> Decimal:
        return self.number.scaleb(self.scale or 0, _CONTEXT)


def _number(raw: str, fmt: str) -> Decimal | None:
    """Read a written number in format `fmt` ("en" or "pt"); None if it is malformed."""
    raw = re.sub(r"\s", "", raw)
    if sum(c.isdigit() for c in raw) > _MAX_DIGITS or re.match(r"0\d", raw):
        return None  # too long to be money, or a fragment such as the "000" of "1 000"
    seps = [c for c in raw if c in ".,"]
    if not seps:
        return Decimal(raw)
    if len(set(seps)) == 2:
        point = seps[-1]
        if seps.count(point) > 1:
            return None
        head, tail = raw.split(point)
        grouped = _ungroup(head, "," if point == "." else ".")
        return None if grouped is None else Decimal(f"{grouped}.{tail}")
    sep = seps[0]
    if len(seps) > 1:
        grouped = _ungroup(raw, sep)
        return None if grouped is None else Decimal(grouped)
    head, tail = raw.split(sep)
    point = "," if fmt == "pt" else "."
    if len(tail) != 3 or sep == point:
        return Decimal(f"{head}.{tail}")
    return Decimal(head + tail)


def _ungroup(raw: str, sep: str) -> str | None:
    """Digits of `raw` with thousands separators `sep` removed; None unless groups look like thousands
    (three digits, or two before the last group as in Indian "1,50,000")."""
    groups = raw.split(sep)
    if len(groups[-1]) != 3 or any(len(g) not in (2, 3) for g in groups[1:-1]) or not groups[0]:
        return None
    return "".join(groups)


def _currency(m: re.Match[str], g: _Grammar, text: str, lang: str) -> str | None:
    """The ISO code named by the symbol, code or word around the number, if any."""
    pre, post, code = m.group("pre"), m.group("post"), m.group("code")
    before = CURRENCY_SYMBOLS.get(pre) or CURRENCY_CODES.get(pre) if pre else None
    if post:
        after: str | None = g.words[_key(post)]
    elif code:
        after = CURRENCY_CODES.get(code, "EUR")
    else:
        after = None
    if pre and after and (pre not in GENERIC_CURRENCY or (post and _key(post) in GENERIC_CURRENCY)):
        return before
    if after:
        return after
    if pre == "¥":
        window = text[max(0, m.start() - _YUAN_WINDOW) : m.end() + _YUAN_WINDOW]
        if lang.lower().startswith("zh") or _YUAN_NEARBY.search(window):
            return "CNY"
    return before


def _format(m: re.Match[str], g: _Grammar) -> str:
    """The number format ("en" or "pt") for an amount: `lang`, else the language of its words."""
    if g.lang:
        return g.lang
    if m.group("pre") in PORTUGUESE_SYMBOLS or m.group("de"):
        return "pt"
    for name in ("scale", "post"):
        word = m.group(name)
        if word and _key(word) in g.word_lang:
            return g.word_lang[_key(word)]
    return "en"


def _read(m: re.Match[str], g: _Grammar, text: str, lang: str) -> _Amount | None:
    """Turn one match of the amount pattern into an `_Amount`; None if it cannot be money."""
    if m.group("num"):
        number = _number(m.group("num"), _format(m, g))
    else:
        number = Decimal(g.numbers[_key(m.group("word"))])
    if number is None:
        return None
    scale: int | None = None
    if m.group("letter"):
        if not m.group("pre") or m.group("pre") in CURRENCY_CODES:
            return None
        scale = SCALE_LETTERS[m.group("letter").lower()]
    elif m.group("scale"):
        scale = g.scales[_key(m.group("scale"))]
    post = m.group("post")
    if post and _key(post) in ("won", "wons") and scale is None and number < 1000:
        return None  # "the team won", not Korean won
    return _Amount(m.start(), m.end(), number, scale, _currency(m, g, text, lang), bool(m.group("pre")))


def _range_end(text: str, first: _Amount, g: _Grammar, lang: str) -> _Amount | None:
    """The upper end of a range starting with `first` ("$10 billion to $20 billion"), if there is one."""
    j = g.joiner.match(text, first.end)
    if not j:
        return None
    m = g.amount.match(text, j.end())
    second = _read(m, g, text, lang) if m else None
    if second is None or second.currency not in (None, first.currency):
        return None
    word = _key(j.group("joiner"))
    if word not in DASHES and second.scale is None and second.currency is None:
        return None
    if word in BETWEEN_JOINERS and not g.between.search(text, max(0, first.start - 20), first.start):
        return None
    if word not in DASHES and g.change.search(text, max(0, first.start - 20), first.start):
        return None
    if second.scale is None and first.scale is not None:
        second = _Amount(second.start, second.end, second.number, first.scale, first.currency, True)
    if second.value < first.value:
        return None
    return second


def _range_start(text: str, last: _Amount, g: _Grammar, floor: int) -> int | None:
    """Where a range ending in `last` begins ("10 to 20 billion dollars"), if it does."""
    m = g.lower.search(text, max(floor, last.start - 60), last.start)
    if not m:
        return None
    word = _key(m.group("joiner"))
    if word in BETWEEN_JOINERS and not g.between.search(text, max(0, m.start() - 20), m.start()):
        return None
    if word not in DASHES and g.change.search(text, max(0, m.start() - 20), m.start()):
        return None
    fmt = g.lang or "en"
    number = _number(m.group("num"), fmt)
    if number is None:
        return None
    scale = g.scales[_key(m.group("scale"))] if m.group("scale") else last.scale
    if number.scaleb(scale or 0, _CONTEXT) > last.value:
        return None
    return m.start()


def _normalise(value: Decimal) -> Decimal:
    """`value` without exponent noise: a whole number as an integer-valued Decimal."""
    if value == value.to_integral_value(context=_CONTEXT):
        return value.quantize(Decimal(1), context=_CONTEXT)
    return value.normalize(_CONTEXT)


def _grammar(lang: str) -> _Grammar:
    """The grammar for a language code such as "en", "pt-BR" or "pt_PT"; both languages otherwise."""
    code = (lang or "").lower().replace("_", "-").split("-")[0]
    return _GRAMMARS.get(code, _GRAMMARS[""])


def money_spans(text: str, lang: str = "en") -> list[Money]:
    """Every amount of money stated in `text`, in order and non-overlapping.

    An amount needs a currency (symbol, code or word). A range is one Money valued at its upper end
    with `upper_bound=True`; "up to"/"até" before an amount also sets `upper_bound`.
    """
    return list(_money_spans(text, lang))


@functools.lru_cache(maxsize=4)
def _money_spans(text: str, lang: str) -> tuple[Money, ...]:
    """`money_spans`, kept for the last few texts: the patterns and the candidates' features both read
    an article's amounts."""
    g = _grammar(lang)
    found: list[Money] = []
    pos = 0
    while pos <= len(text):
        m = g.amount.search(text, pos)
        if not m:
            break
        try:
            amount = _read(m, g, text, lang)
        except (InvalidOperation, KeyError, ValueError):
            amount = None
        if amount is None or amount.currency is None:
            pos = m.start() + 1
            continue
        start, end, value, upper = amount.start, amount.end, amount.value, False
        floor = found[-1].end if found else 0
        lower = None if amount.prefixed else _range_start(text, amount, g, floor)
        if lower is not None:
            start, upper = lower, True
        elif (second := _range_end(text, amount, g, lang)) is not None:
            end, value, upper = second.end, second.value, True
        else:
            upper = bool(g.upper.search(text, max(0, start - 30), start))
        found.append(Money(start, end, _normalise(value), amount.currency, text[start:end], upper))
        pos = end
    return tuple(found)


def parse_money(text: str, lang: str = "en") -> Money | None:
    """The first amount of money in a short string such as "US$ 6,3 bilhões", or None."""
    spans = money_spans(text, lang)
    return spans[0] if spans else None
