"""A learned typer for capitalised names that the knowledge base lacks and no cue word types.

`kg_names` finds capitalised spans ("Pedro Bizarro", "Kibo Ventures", "Delos Cloud") and types
what it can from the ontology's cue words; the spans it cannot type are scored here, one column per
entity type, from features that carry over: the span's words and shape, its first and last word,
the words around it, the cue words near it, and whether its first word is the first name of a
person the knowledge base knows or a common given name. Trained by `kg train` from the gold files
(the spans whose text is a gold name of the article are positives of that name's type, the others
negatives) and saved in the extractor's folder as `typer/`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from spacy.tokens import Doc

TYPES = ("Organization", "Person", "AIModel", "Product", "Hardware", "Project", "Place")
UNTYPED_KEY = "kg_untyped"  # doc.user_data: the spans left untyped, with their features, for training
AROUND = 3


def _shape(text: str) -> str:
    shape = re.sub(r"[A-ZÀ-Ý]", "X", text)
    shape = re.sub(r"[a-zß-ÿ]", "x", shape)
    shape = re.sub(r"[0-9]", "d", shape)
    return re.sub(r"(.)\1+", r"\1\1", shape)


@lru_cache(maxsize=4)
def first_names(ontology_version: str, ontology) -> frozenset[str]:
    """The first words of the knowledge base's people's names, folded."""
    from .ontology import fold

    out = set()
    for e in ontology.entities.values():
        if e.type == "Person":
            parts = e.label.split()
            if len(parts) > 1:
                out.add(fold(parts[0]))
    return frozenset(out)


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Common given names of many languages (`given_names.txt` beside the ontology), folded."""
    from .ontology import default_paths, fold

    out = set()
    for folder in default_paths():
        path = folder / "given_names.txt" if folder.is_dir() else folder.parent / "given_names.txt"
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.startswith("#"):
                    out.update(fold(w) for w in line.split())
    return frozenset(out)


def span_features(
    doc: Doc,
    words: Sequence[str],
    start: int,
    end: int,
    cue_left: str | None,
    cue_right: str | None,
    names: frozenset[str],
) -> list[str]:
    """What the typer sees of the capitalised span `doc[start:end]`."""
    words = _Plain(words)
    span_words = [words[i] for i in range(start, end)]
    out = [f"n:len:{min(end - start, 5)}", f"n:first:{span_words[0]}", f"n:last:{span_words[-1]}"]
    out += [f"n:w:{w}" for w in span_words]
    text = doc[start:end].text
    out.append(f"n:shape:{_shape(text)[:12]}")
    out.append(f"n:lastshape:{_shape(doc[end - 1].text)[:8]}")
    if any(c.isdigit() for c in text):
        out.append("n:digit")
    if "-" in text:
        out.append("n:hyphen")
    if text.isupper():
        out.append("n:caps")
    if doc[start].is_sent_start:
        out.append("n:opens")
    if span_words[0] in names and end - start >= 2:
        out.append("n:firstname")
    for k in range(1, AROUND + 1):
        if start - k >= 0:
            out.append(f"n:l{k}:{words[start - k]}")
        if end + k - 1 < len(words):
            out.append(f"n:r{k}:{words[end + k - 1]}")
    if start >= 1 and end < len(words):
        out.append(f"n:lr:{words[start - 1]}_{words[end]}")
    if cue_left:
        out.append(f"n:cueleft:{cue_left}")
    if cue_right:
        out.append(f"n:cueright:{cue_right}")
    return out


class _Plain:
    """Words with whitespace tokens as one symbol, so that no feature holds a line break."""

    def __init__(self, words: Sequence[str]):
        self.words = words

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i: int) -> str:
        w = self.words[i]
        return w if w.strip() else "_"


def best_type(model, features: Sequence[str]) -> str | None:
    """The type the typer gives the span, or None where no type scores over its threshold."""
    p = model.probabilities([features])[0]
    best, score = None, 0.0
    for i, name in enumerate(model.relations):
        if p[i] >= model.thresholds.get(name, 0.5) and p[i] > score:
            best, score = name, float(p[i])
    return best
