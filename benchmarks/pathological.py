"""Inputs of pathological shape, generated from the project's own words, for timing `kg` on them.

Each generator takes a size in words and returns text (or HTML) of that shape; `SHAPES` names them.
`python benchmarks/bench.py --pathological` prints words/s for each next to normal news.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_COMPANIES = (
    "OpenAI", "Anthropic", "DeepSeek", "NVIDIA", "Google", "Microsoft", "Meta", "Mistral AI", "Alibaba",
    "Baidu", "Tencent", "SoftBank", "Oracle", "Amazon", "Apple", "Intel", "AMD", "Samsung", "TSMC", "xAI",
)  # fmt: skip
_WORDS = (
    "the", "company", "said", "its", "new", "model", "was", "trained", "on", "chips", "and", "invested", "in",
    "a", "startup", "that", "competes", "with", "rivals", "while", "partners", "build", "data", "centres",
)  # fmt: skip


def no_punctuation(words: int) -> str:
    """News-like words with company names and no sentence-ending punctuation or line breaks at all."""
    out = []
    for i in range(words):
        out.append(_COMPANIES[i % len(_COMPANIES)] if i % 7 == 0 else _WORDS[(i * 5) % len(_WORDS)])
    return " ".join(out)


def name_list(words: int) -> str:
    """One sentence listing company names: "X invested in A, B, C, … and Z." """
    names = [f"{_COMPANIES[i % len(_COMPANIES)]}" for i in range(max(2, words - 4))]
    return "SoftBank invested in " + ", ".join(names[:-1]) + " and " + names[-1] + "."


def amounts(words: int) -> str:
    """Thousands of money amounts in one line."""
    parts = [f"${(i % 97) + 1}.{i % 10} billion" for i in range(max(1, words // 2))]
    return "OpenAI raised " + ", ".join(parts) + " from NVIDIA."


def nested_html(words: int) -> str:
    """A page whose text sits inside thousands of nested <div>s."""
    depth = max(1, words // 4)
    inner = " ".join(
        f"{_COMPANIES[i % len(_COMPANIES)]} invested in {_COMPANIES[(i + 3) % len(_COMPANIES)]}." for i in range(depth)
    )
    return "<html><body>" + "<div>" * depth + f"<p>{inner}</p>" + "</div>" * depth + "</body></html>"


def table_dump(words: int) -> str:
    """A table pasted as text: rows of names and numbers, tab-separated, no sentences."""
    rows = []
    for i in range(max(1, words // 4)):
        rows.append(f"{_COMPANIES[i % len(_COMPANIES)]}\t{i}\t{(i * 37) % 1000}.5\tUSD")
    return "\t".join(rows)


def news(words: int) -> str:
    """Ordinary sentences, for comparison."""
    sentences = []
    i = 0
    while sum(len(s.split()) for s in sentences) < words:
        a, b = _COMPANIES[i % len(_COMPANIES)], _COMPANIES[(i + 5) % len(_COMPANIES)]
        sentences.append(f"{a} said on Monday it invested $2 billion in {b}, which competes with {a} in chips.")
        i += 1
    return " ".join(sentences)


SHAPES: dict[str, tuple[Callable[[int], str], str]] = {
    "news": (news, "txt"),
    "no punctuation": (no_punctuation, "txt"),
    "one list of names": (name_list, "txt"),
    "amounts in one line": (amounts, "txt"),
    "nested HTML": (nested_html, "html"),
    "table dump": (table_dump, "txt"),
}
"""Each shape's generator and the file suffix it is read as."""


def seconds(text: str, kind: str, lang: str = "en") -> float:
    """Time to read (for HTML) and analyse `text` as one article as a build does, best of two runs."""
    from kg import extract
    from kg.pipeline import process_article
    from kg.read import read_file
    from kg.records import Article

    extractor = extract.resolve_extractor("default")
    best = float("inf")
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(2):
            started = time.perf_counter()
            if kind == "html":
                page = Path(folder) / "page.html"
                page.write_text(text, encoding="utf-8")
                (article,) = list(read_file(page))
            else:
                article = Article(id="a", path="a", title="", text=text, lang=lang)
            process_article(article, (), None, extractor)
            best = min(best, time.perf_counter() - started)
    return best


def table(words: int) -> str:
    """A markdown table: words/s of each shape at `words` words, and the time at 4x the words over the time at 1x."""
    seconds("OpenAI e NVIDIA.", "txt")  # load the pipeline
    rows = ["| input | words | words/s | time at 4x the words / time at 1x |", "| --- | --- | --- | --- |"]
    for name, (make, kind) in SHAPES.items():
        text = make(words)
        count = len(re.sub(r"<[^>]*>", " ", text).split())
        small = seconds(make(words // 4), kind)
        large = seconds(text, kind)
        rows.append(f"| {name} | {count:,} | {count / large:,.0f} | ×{large / small:.1f} |")
    return "\n".join(rows)
