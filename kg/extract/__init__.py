"""Extract facts from an analysed article.

The steps, one module each: `candidates` (typed pairs of entities a sentence may relate),
`features` (what the model sees of a candidate), `model` (the trained classifier that decides),
`amounts` (which money span of a sentence belongs to an investment), `patterns` (general sentence
patterns whose verdicts are the model's strongest features) and `decide` (the steps put together).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from spacy.tokens import Doc

from ..errors import ExtractorError
from ..ontology import Ontology
from ..records import Fact, Mention
from .decide import analysed, decide
from .model import RelationModel
from .model import load as load_extractor

__all__ = ["DEFAULT_EXTRACTOR", "digest", "facts", "load_extractor", "resolve_extractor", "typer_of"]

DEFAULT_EXTRACTOR = Path(__file__).resolve().parent.parent / "models" / "extractor"


def resolve_extractor(choice: str | os.PathLike[str] | None) -> str | None:
    """The extractor folder `choice` names, loaded once to check it: "default" (or None) is the model
    shipped with `kg`, "none" the patterns alone (returns None), anything else a folder made by `kg train`."""
    if choice is not None and str(choice) == "none":
        return None
    folder = DEFAULT_EXTRACTOR if choice is None or str(choice) == "default" else Path(choice)
    if not folder.exists():
        if folder == DEFAULT_EXTRACTOR:
            raise ExtractorError(f"the default extractor is missing from this installation ({folder})")
        raise ExtractorError(f"no extractor model at {folder}")
    load_extractor(folder)
    typer = typer_of(folder)
    if typer:
        load_extractor(typer)
    return str(folder.resolve())


def typer_of(extractor: str | os.PathLike[str] | None) -> str | None:
    """The learned name typer saved beside an extractor (its `typer/` folder), if it has one."""
    if not extractor:
        return None
    folder = Path(extractor) / "typer"
    return str(folder) if (folder / "config.json").is_file() else None


def digest(extractor: str | os.PathLike[str] | None) -> str:
    """What an extractor folder is, for cache keys: its model's digest and its typer's."""
    if not extractor:
        return "patterns"
    typer = typer_of(extractor)
    return load_extractor(extractor).digest + (f"+{load_extractor(typer).digest}" if typer else "")


def facts(
    doc: Doc,
    mentions: Sequence[Mention],
    ontology: Ontology,
    lang: str,
    article_id: str,
    date: str = "",
    model: RelationModel | None = None,
) -> list[Fact]:
    """The facts the sentences of `doc` state between `mentions`: decided by `model` over every
    candidate, or by the patterns alone when there is no model."""
    if model is None:
        from .patterns import facts as pattern_facts

        return pattern_facts(doc, mentions, ontology, lang, article_id, date)
    rule_features = bool(model.config.get("hyper", {}).get("rule_features", True))
    result = analysed(doc, mentions, ontology, lang, article_id, date, rule_features=rule_features)
    return decide(doc, result, model, ontology, article_id, date)
