"""Score HTML main-text extraction on the page set of `pages.py`: article paragraphs kept, boilerplate out.

    python benchmarks/main_text/measure.py            # kg's reader (trafilatura) and kg's own fallback
    python benchmarks/main_text/measure.py --write DIR  # also write the pages, to build or read them

Each article paragraph is a snippet that should be in the text (found: true positive, else a false
negative); each boilerplate string on the page is a snippet that should not (found: false positive).
Matching is on whitespace-collapsed, case-folded text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from articles import ARTICLES  # noqa: E402
from pages import BOILERPLATE, TEMPLATES, boilerplate_strings  # noqa: E402


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def page_set() -> list[tuple[str, str, dict]]:
    """(file name, page, article) for every article in every template."""
    return [(f"{name}-{a['slug']}.html", make(a), a) for name, make in TEMPLATES.items() for a in ARTICLES]


def score(extract) -> dict[str, float]:
    """Precision, recall and F1 of `extract(page) -> text` over the page set (micro-averaged over snippets)."""
    tp = fn = fp = 0
    for name, page, article in page_set():
        text = _norm(extract(page))
        kept = list(article["paragraphs"])
        if name.startswith("wire-"):
            kept.append(BOILERPLATE[article["lang"]]["subheading"])
        for paragraph in kept:
            if _norm(paragraph) in text:
                tp += 1
            else:
                fn += 1
        fp += sum(1 for snippet in boilerplate_strings(article["lang"]) if _norm(snippet) in text)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "pages": len(page_set())}


def main() -> None:
    from kg.read import html_to_text, main_text

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", type=Path, help="also write the pages into this folder")
    args = parser.parse_args()
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        for name, page, _ in page_set():
            (args.write / name).write_text(page, encoding="utf-8")

    def kg_reader(page: str) -> str:
        found = main_text(page) or html_to_text(page)
        return found[0] + "\n" + found[1]

    def trafilatura_defaults(page: str) -> str:
        import trafilatura

        return trafilatura.extract(page, with_metadata=False) or ""

    print("| reader | pages | precision | recall | F1 |\n| --- | --- | --- | --- | --- |")
    for label, extract in (
        ("kg (trafilatura)", kg_reader),
        ("trafilatura, default settings", trafilatura_defaults),
        ("kg's own HTML reader", lambda p: "\n".join(html_to_text(p)[:2])),
    ):
        s = score(extract)
        print(f"| {label} | {s['pages']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")


if __name__ == "__main__":
    main()
