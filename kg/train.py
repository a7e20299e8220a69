"""Train the extractor from annotated articles, and measure it by k-fold cross-validation by article.

Gold files are the `kg eval` format (`<id>.json`, see `kg.evaluate.load_gold`); each one's article
is the file of the same name beside it (`<id>.txt`, `.md`, `.html`, `.json`) or among the article
paths given. A candidate is a positive example of a relation when the gold states that relation
between the entities its ends link to and the candidate's sentence overlaps the gold evidence.
"""

from __future__ import annotations

import logging
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__, link
from .analyse import analyse
from .errors import TrainError
from .evaluate import load_gold, normalise
from .extract.amounts import AMOUNT, amount_features, in_sentence, investors_in
from .extract.decide import RULE_FIRED, Analysed, analysed, decide
from .extract.model import RelationModel, TrainConfig, fit
from .nametyper import TYPES, UNTYPED_KEY

__all__ = ["TrainConfig", "train", "prepare", "cross_validate", "report_lines"]
from .namespace import RELATIONS, SYMMETRIC
from .ontology import Ontology
from .ontology import load as load_ontology
from .read import pipeline_language, read_file
from .records import Article, Fact, Mention

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json")
COLUMNS = (*RELATIONS, AMOUNT)  # what the model scores: each relation, and amounts of investments


@dataclass
class Example:
    """One annotated article, analysed: its gold, its mentions, candidates and their labels."""

    article: Article
    gold: dict[str, Any]
    mentions: list[Mention]
    analysed: Analysed
    labels: np.ndarray  # (rows, relations) of POSITIVE, NEGATIVE, UNKNOWN
    gold_ids: dict[str, set[str]]  # entity key → gold entity ids it matches
    doc: Any = None
    amount_rows: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)  # (features, is the gold amount)
    name_rows: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)  # (features, gold type)


@dataclass
class Scores:
    """Corpus-level counts per relation and for amounts, as `score.py` counts them."""

    counts: dict[str, list[int]] = field(default_factory=lambda: {r: [0, 0, 0] for r in RELATIONS})
    amounts: list[int] = field(default_factory=lambda: [0, 0])

    def prf(self, relations: Iterable[str]) -> tuple[float, float, float]:
        tp = sum(self.counts[r][0] for r in relations)
        fp = sum(self.counts[r][1] for r in relations)
        fn = sum(self.counts[r][2] for r in relations)
        p = tp / (tp + fp) if tp + fp else 0.0
        r_ = tp / (tp + fn) if tp + fn else 0.0
        return p, r_, (2 * p * r_ / (p + r_) if p + r_ else 0.0)


def find_articles(gold_dir: Path, docs: Sequence[dict[str, Any]], paths: Sequence[str]) -> dict[str, Article]:
    """The article of each gold file: `<id>.<ext>` beside it or anywhere under `paths`."""
    files: dict[str, Path] = {}
    gold_files = {(gold_dir / f"{doc['id']}.json").resolve() for doc in docs}
    for folder in [*map(Path, paths), gold_dir]:
        candidates = [folder] if folder.is_file() else sorted(folder.rglob("*")) if folder.is_dir() else []
        candidates.sort(
            key=lambda f: ARTICLE_SUFFIXES.index(f.suffix.lower()) if f.suffix.lower() in ARTICLE_SUFFIXES else 99
        )
        for f in candidates:
            if f.suffix.lower() not in ARTICLE_SUFFIXES or f.stem in files or f.resolve() in gold_files:
                continue
            if f.is_file():
                files[f.stem] = f
    out = {}
    for doc in docs:
        path = files.get(doc["id"])
        if path is None:
            raise TrainError(f"no article for gold file {doc['id']}.json (looked for {doc['id']}.txt and the like)")
        articles = [a for a in read_file(path) if isinstance(a, Article)]
        if not articles:
            raise TrainError(f"{path}: the article of {doc['id']}.json cannot be read")
        a = articles[0]
        out[doc["id"]] = Article(
            id=doc["id"],
            path=a.path,
            title=a.title,
            text=a.text,
            lang=doc.get("lang") or a.lang,
            url=a.url,
            published=a.published,
            sha256=a.sha256,
        )
    return out


def _key_names(mentions: Sequence[Mention], kb: Ontology) -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        names[m.key].add(normalise(m.text))
        entity = kb.entities.get(m.key)
        if entity is not None:
            names[m.key].add(normalise(entity.label))
            names[m.key].update(normalise(a) for a in entity.aliases)
    return names


def gold_ids(mentions: Sequence[Mention], kb: Ontology, gold: dict[str, Any]) -> dict[str, set[str]]:
    """For each entity key of the article, the gold entities whose names it bears."""
    by_name: dict[str, set[str]] = defaultdict(set)
    for e in gold["entities"]:
        for n in e["names"]:
            by_name[normalise(n)].add(e["id"])
    return {
        key: set().union(*(by_name.get(n, set()) for n in names)) for key, names in _key_names(mentions, kb).items()
    }


def _evidence_spans(text: str, gold: dict[str, Any]) -> dict[tuple[str, str, str], list[tuple[int, int]]]:
    spans: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    for r in gold["relations"]:
        s, p, o = r["s"], r["p"], r["o"]
        if p in SYMMETRIC:
            s, o = sorted((s, o))
        evidence = (r.get("evidence") or "").strip()
        at = text.find(evidence) if evidence else -1
        spans[(s, p, o)].append((at, at + len(evidence)) if at >= 0 else (-1, -1))
    return spans


POSITIVE, NEGATIVE, UNKNOWN = 1, 0, -1


def label_rows(result: Analysed, ids: dict[str, set[str]], gold: dict[str, Any], text: str) -> np.ndarray:
    """Which relations each candidate row states according to the gold (see the module): `POSITIVE`,
    `NEGATIVE`, or `UNKNOWN` for a fact the gold states with its evidence in another sentence (this
    sentence may say it again, so the row teaches nothing either way)."""
    spans = _evidence_spans(text, gold)
    labels = np.zeros((len(result.rows), len(RELATIONS)), dtype=np.int8)
    for n, row in enumerate(result.rows):
        c = row.candidate
        for relation in c.relations:
            for gs in ids.get(c.subject.key, ()):
                for go in ids.get(c.object.key, ()):
                    a, b = sorted((gs, go)) if relation in SYMMETRIC else (gs, go)
                    where = spans.get((a, relation, b))
                    if not where:
                        continue
                    if any(s < 0 or (s < row.sentence_end and row.sentence_start < e) for s, e in where):
                        labels[n, RELATIONS.index(relation)] = POSITIVE
                    elif labels[n, RELATIONS.index(relation)] == NEGATIVE:
                        labels[n, RELATIONS.index(relation)] = UNKNOWN
    return labels


def amount_rows(
    result: Analysed, labels: np.ndarray, ids: dict[str, set[str]], gold: dict[str, Any]
) -> list[tuple[tuple[str, ...], bool]]:
    """An example per amount in the sentence of each true investment: is it the gold's amount?"""
    wanted: dict[tuple[str, str], tuple[float, str]] = {}
    for r in gold["relations"]:
        if r["p"] == "investsIn" and "amount" in r:
            wanted[(r["s"], r["o"])] = (float(r["amount"]), str(r.get("currency", "")).upper())
    column = RELATIONS.index("investsIn")
    out = []
    for row, y in zip(result.rows, labels, strict=False):
        if y[column] != POSITIVE:
            continue
        c = row.candidate
        targets = [
            wanted[(gs, go)]
            for gs in ids.get(c.subject.key, ())
            for go in ids.get(c.object.key, ())
            if (gs, go) in wanted
        ]
        investors = investors_in(result, row)
        for i in in_sentence(result, row):
            m = result.money[i]
            right = any(abs(float(m.amount) - a) <= 0.01 * a and m.currency == cur for a, cur in targets)
            out.append((tuple(amount_features(row, result, i, result.words, investors)), right))
    return out


def annotated(
    gold_dirs: str | Path | Sequence[str | Path], paths: Sequence[str] = ()
) -> list[tuple[dict[str, Any], Article]]:
    """Every gold file of the folders with its article."""
    folders = [Path(gold_dirs)] if isinstance(gold_dirs, (str, Path)) else [Path(g) for g in gold_dirs]
    if not folders:
        raise TrainError("no gold folder given")
    pairs = []
    seen: set[str] = set()
    for folder in folders:
        docs = load_gold(folder)
        articles = find_articles(folder, docs, paths)
        for gold in docs:
            if gold["id"] in seen:
                raise TrainError(f"gold id {gold['id']} appears twice ({folder})")
            seen.add(gold["id"])
            pairs.append((gold, articles[gold["id"]]))
    return pairs


def analyse_examples(
    pairs: Sequence[tuple[dict[str, Any], Article]],
    ontology: Sequence[str] = (),
    rule_features: bool = True,
    typer: str | None = None,
) -> list[Example]:
    """Analyse annotated articles (with the name typer saved in `typer`, if any): mentions, candidates,
    features, labels, and the untyped names the typer learns from."""
    kb = load_ontology(tuple(str(p) for p in ontology))
    out = []
    for gold, article in pairs:
        lang = pipeline_language(article.lang) or "en"
        doc = analyse(article.document, lang, ontology, typer=typer)
        mentions = link.mentions(doc, kb)
        result = analysed(doc, mentions, kb, lang, article.id, article.published, rule_features=rule_features)
        ids = gold_ids(mentions, kb, gold)
        labels = label_rows(result, ids, gold, doc.text)
        example = Example(article, gold, mentions, result, labels, ids, doc)
        example.amount_rows = amount_rows(result, labels, ids, gold)
        example.name_rows = name_rows(doc, gold)
        out.append(example)
    return out


def prepare(
    gold_dirs: str | Path | Sequence[str | Path],
    paths: Sequence[str] = (),
    ontology: Sequence[str] = (),
    rule_features: bool = True,
    typer: str | None = None,
) -> list[Example]:
    """Analyse every annotated article of the gold folders once (see `analyse_examples`)."""
    return analyse_examples(annotated(gold_dirs, paths), ontology, rule_features, typer)


def name_rows(doc: Any, gold: dict[str, Any]) -> list[tuple[tuple[str, ...], str | None]]:
    """The names of `doc` that no cue word typed, each with the gold type of its text (None: no entity)."""
    types: dict[str, str] = {}
    for e in gold["entities"]:
        if e["type"] in TYPES:
            for n in e["names"]:
                types.setdefault(normalise(n), e["type"])
    return [
        (features, types.get(normalise(doc[start:end].text)))
        for start, end, features in doc.user_data.get(UNTYPED_KEY, [])
    ]


def fit_typer(examples: Sequence[Example], config: TrainConfig) -> RelationModel:
    """The name typer fitted on the untyped names of `examples`: one column per entity type."""
    rows, labels = [], []
    for ex in examples:
        for features, type_name in ex.name_rows:
            rows.append(features)
            labels.append([type_name == t for t in TYPES])
    if not rows:
        raise TrainError("the articles hold no untyped name to learn types from")
    y = np.array(labels, dtype=bool)
    model = fit(rows, y, np.ones_like(y), TYPES, config)
    model.config = {
        "kg": __version__,
        "hyper": config.as_dict(),
        "names": len(rows),
        "positives": {t: int(y[:, i].sum()) for i, t in enumerate(TYPES)},
    }
    return model


def folds(ids: Sequence[str], k: int, seed: int) -> list[list[str]]:
    """`k` disjoint groups of article ids, a deterministic shuffle of `seed`."""
    if k < 2:
        raise TrainError("cross-validation needs at least 2 folds")
    if len(ids) < k:
        raise TrainError(f"{len(ids)} annotated article(s) cannot be split into {k} folds")
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


def _matrix(examples: Sequence[Example]) -> tuple[list[tuple[str, ...]], np.ndarray, np.ndarray]:
    rows, labels, applicable = [], [], []
    for ex in examples:
        for row, y in zip(ex.analysed.rows, ex.labels, strict=False):
            rows.append(row.features)
            labels.append([*(y == POSITIVE), False])
            applicable.append(
                [r in row.candidate.relations and v != UNKNOWN for r, v in zip(RELATIONS, y, strict=False)] + [False]
            )
        for features, right in ex.amount_rows:
            rows.append(features)
            labels.append([False] * len(RELATIONS) + [right])
            applicable.append([False] * len(RELATIONS) + [True])
    if not rows:
        return [], np.zeros((0, len(COLUMNS)), bool), np.zeros((0, len(COLUMNS)), bool)
    return rows, np.array(labels, dtype=bool), np.array(applicable, dtype=bool)


def fit_model(examples: Sequence[Example], config: TrainConfig) -> RelationModel:
    """A model fitted on every candidate of `examples`."""
    rows, labels, applicable = _matrix(examples)
    if not labels.any():
        raise TrainError("the gold files state no relation that a candidate can express: nothing to learn")
    model = fit(rows, labels, applicable, COLUMNS, config)
    model.config = {
        "kg": __version__,
        "hyper": config.as_dict(),
        "articles": len(examples),
        "positives": {r: int(labels[:, i].sum()) for i, r in enumerate(COLUMNS)},
    }
    return model


def predict(example: Example, model: RelationModel, ontology: Ontology) -> list[Fact]:
    return decide(example.doc, example.analysed, model, ontology, example.article.id, example.article.published)


class CorpusScorer:
    """Corpus-level scoring against the gold of `examples`, counted the way `score.py` counts: a fact
    matches when its ends bear the names of gold entities the gold relates; each gold fact is found
    once; an amount is right within 1% and with the same currency."""

    def __init__(self, examples: Sequence[Example], kb: Ontology):
        names: dict[str, set[str]] = defaultdict(set)
        for ex in examples:
            for key, n in _key_names(ex.mentions, kb).items():
                names[key] |= n
        self.gold: dict[tuple[str, str, str], dict[str, Any]] = {}
        by_name: dict[str, set[str]] = defaultdict(set)
        for ex in examples:
            for e in ex.gold["entities"]:
                for n in e["names"]:
                    by_name[normalise(n)].add(e["id"])
            for r in ex.gold["relations"]:
                s, p, o = r["s"], r["p"], r["o"]
                if p in SYMMETRIC:
                    s, o = sorted((s, o))
                old = self.gold.get((s, p, o))
                if old is None or (old.get("optional") and not r.get("optional")):
                    self.gold[(s, p, o)] = dict(r)
                elif "amount" in r and "amount" not in old:
                    old["amount"], old["currency"] = r["amount"], r.get("currency")
        self.ids = {key: set().union(*(by_name.get(n, set()) for n in ns)) for key, ns in names.items()}
        self.required = Counter(k[1] for k, v in self.gold.items() if not v.get("optional"))

    def count(self, relation: str, pairs: Iterable[tuple[str, str]]) -> list[int]:
        """[tp, fp, fn] of the (subject, object) key pairs predicted for `relation`."""
        found: set[tuple[str, str, str]] = set()
        tp = fp = 0
        for s, o in sorted(set(pairs)):
            keys = set()
            for gs in self.ids.get(s, ()):
                for go in self.ids.get(o, ()):
                    a, b = sorted((gs, go)) if relation in SYMMETRIC else (gs, go)
                    if (a, relation, b) in self.gold:
                        keys.add((a, relation, b))
            if not keys:
                fp += 1
                continue
            new = {k for k in keys if not self.gold[k].get("optional")} - found
            if new:
                tp += 1
                found |= new
        return [tp, fp, self.required[relation] - len(found)]

    def entities(self, examples: Sequence[Example], kb: Ontology) -> tuple[int, int, int]:
        """[tp, fp, fn] of the typed entities the examples' mentions make, counted as `score.py` does:
        a second entity matching the same gold entity is a false positive (unmerged)."""
        types: dict[str, set[str]] = defaultdict(set)
        required: set[str] = set()
        optional: dict[str, bool] = {}
        for ex in examples:
            for e in ex.gold["entities"]:
                if e["type"] == "Sector":
                    continue
                types[e["id"]].add(e["type"])
                optional[e["id"]] = optional.get(e["id"], True) and bool(e.get("optional"))
        required = {i for i, opt in optional.items() if not opt}
        nodes: dict[str, str] = {}
        for ex in examples:
            for m in ex.mentions:
                if m.label != "Sector":
                    entity = kb.entities.get(m.key)
                    nodes.setdefault(m.key, entity.type if entity else m.label)
        hit: set[str] = set()
        tp = fp = 0
        for key, type_name in sorted(nodes.items()):
            ids = {i for i in self.ids.get(key, set()) if i in types}
            new = {i for i in ids if type_name in types[i]} - hit
            hit |= new
            if any(i in required for i in new):
                tp += 1
            elif new or (ids and all(i not in required for i in ids)):
                continue
            else:
                fp += 1
        return tp, fp, len(required - hit)

    def score(self, predicted: dict[str, list[Fact]]) -> Scores:
        """The scores of `predicted` facts (article id → facts)."""
        out = Scores()
        triples: dict[str, set[tuple[str, str]]] = defaultdict(set)
        amounts: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
        for facts in predicted.values():
            for f in facts:
                triples[f.predicate].add((f.subject, f.object))
                if f.predicate == "investsIn" and f.amount is not None:
                    for gs in self.ids.get(f.subject, ()):
                        for go in self.ids.get(f.object, ()):
                            amounts[(gs, go)].append((float(f.amount), f.currency))
        for relation in RELATIONS:
            out.counts[relation] = self.count(relation, triples[relation])
        for (s, p, o), r in self.gold.items():
            if p != "investsIn" or "amount" not in r or r.get("optional"):
                continue
            out.amounts[1] += 1
            want, currency = float(r["amount"]), str(r.get("currency", "")).upper()
            if any(abs(a - want) <= 0.01 * want and c.upper() == currency for a, c in amounts[(s, o)]):
                out.amounts[0] += 1
        return out


def score(examples: Sequence[Example], predicted: dict[str, list[Fact]], kb: Ontology) -> Scores:
    """Corpus-level scores of `predicted` facts against the gold of `examples` (see `CorpusScorer`)."""
    return CorpusScorer(examples, kb).score(predicted)


def reach(examples: Sequence[Example]) -> dict[str, tuple[int, int, int]]:
    """Per relation: (gold facts, facts whose both ends were found as entities, facts some candidate
    could express), required facts only, per article."""
    out: dict[str, list[int]] = {r: [0, 0, 0] for r in RELATIONS}
    for ex in examples:
        found_ids = set().union(*ex.gold_ids.values()) if ex.gold_ids else set()
        expressible = set()
        for row in ex.analysed.rows:
            c = row.candidate
            for relation in c.relations:
                for gs in ex.gold_ids.get(c.subject.key, ()):
                    for go in ex.gold_ids.get(c.object.key, ()):
                        a, b = sorted((gs, go)) if relation in SYMMETRIC else (gs, go)
                        expressible.add((a, relation, b))
        seen = set()
        for r in ex.gold["relations"]:
            if r.get("optional"):
                continue
            s, p, o = r["s"], r["p"], r["o"]
            if p in SYMMETRIC:
                s, o = sorted((s, o))
            if (s, p, o) in seen or p not in out:
                continue
            seen.add((s, p, o))
            out[p][0] += 1
            out[p][1] += s in found_ids and o in found_ids
            out[p][2] += (s, p, o) in expressible
    return {r: (v[0], v[1], v[2]) for r, v in out.items()}


def choose_thresholds(
    examples: Sequence[Example], probabilities: dict[str, np.ndarray], kb: Ontology
) -> dict[str, float]:
    """Per relation, the two decision thresholds (where the patterns state the fact, and elsewhere) that
    maximise that relation's corpus-level F1 on out-of-fold predictions; the first is never the higher,
    so that a fact the patterns state needs no more of the model than one they are silent on."""
    scorer = CorpusScorer(examples, kb)
    chosen: dict[str, float] = {}
    grid = [round(float(t), 2) for t in np.arange(0.05, 0.96, 0.05)]
    for r, relation in enumerate(RELATIONS):
        best: dict[tuple[str, str], list[float]] = {}  # pair → [best p where the patterns fired, best p elsewhere]
        for ex in examples:
            p = probabilities[ex.article.id]
            for row, value in zip(ex.analysed.rows, p[:, r], strict=False):
                c = row.candidate
                if relation not in c.relations or c.subject.key == c.object.key:
                    continue
                pair = (c.subject.key, c.object.key)
                if relation in SYMMETRIC:
                    pair = tuple(sorted(pair))  # type: ignore[assignment]
                slot = 0 if relation in row.rules else 1
                scores = best.setdefault(pair, [-1.0, -1.0])
                scores[slot] = max(scores[slot], float(value))
        top = (-1.0, 0.5, 0.5)
        for with_rule in grid:
            for elsewhere in (t for t in grid if t >= with_rule):  # the patterns' word never counts against
                pairs = [pair for pair, (a, b) in best.items() if a >= with_rule or b >= elsewhere]
                tp, fp, fn = scorer.count(relation, pairs)
                f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
                if f1 > top[0] + 1e-9:
                    top = (f1, with_rule, elsewhere)
        chosen[relation] = top[2]
        chosen[relation + RULE_FIRED] = top[1]
    chosen[AMOUNT] = 0.5
    return chosen


@dataclass
class CrossValidation:
    """Out-of-fold results: the folds, the scores per language and in all, the thresholds chosen, the
    same for the patterns alone on the same folds, and the reach of the candidates."""

    folds: list[list[str]]
    scores: Scores
    by_language: dict[str, Scores]
    thresholds: dict[str, float]
    rules: Scores
    rules_by_language: dict[str, Scores]
    entities: tuple[int, int, int] = (0, 0, 0)  # tp, fp, fn of typed entities, out of fold
    rules_entities: tuple[int, int, int] = (0, 0, 0)
    reach: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def cross_validate(
    pairs: Sequence[tuple[dict[str, Any], Article]],
    config: TrainConfig,
    ontology: Sequence[str] = (),
    baseline: Sequence[Example] | None = None,
    trained: Sequence[Example] | None = None,
    work: str | Path | None = None,
) -> CrossValidation:
    """k-fold cross-validation by article: each fold's articles are analysed with a name typer and
    decided by a model both fitted on the other folds only.

    `baseline` are the articles analysed without a typer (the patterns alone are scored on them) and
    `trained` analysed with the typer fitted on all articles (what the fold models learn from);
    both are computed when not given. `work` is a folder for the fold typers (a temporary one
    otherwise)."""
    import tempfile

    kb = load_ontology(tuple(str(p) for p in ontology))
    baseline = list(baseline) if baseline is not None else analyse_examples(pairs, ontology, config.rule_features)
    by_id = {ex.article.id: ex for ex in baseline}
    groups = folds(list(by_id), config.folds, config.seed)
    probabilities: dict[str, np.ndarray] = {}
    models: dict[str, RelationModel] = {}
    held_out: dict[str, Example] = {}
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        if trained is None:
            typer_all = Path(scratch) / "typer-all"
            fit_typer(baseline, config).save(typer_all)
            trained = analyse_examples(pairs, ontology, config.rule_features, str(typer_all))
        trained_by_id = {ex.article.id: ex for ex in trained}
        model = None
        for n, group in enumerate(groups):
            held = set(group)
            typer = Path(scratch) / f"typer-{n}"
            fit_typer([ex for ex in baseline if ex.article.id not in held], config).save(typer)
            fold_pairs = [(g, a) for g, a in pairs if a.id in held]
            for ex in analyse_examples(fold_pairs, ontology, config.rule_features, str(typer)):
                held_out[ex.article.id] = ex
            model = fit_model([trained_by_id[i] for i in trained_by_id if i not in held], config)
            for i in group:
                ex = held_out[i]
                probabilities[i] = model.probabilities([r.features for r in ex.analysed.rows])
                models[i] = model
    assert model is not None
    examples = [held_out[ex.article.id] for ex in baseline]
    for group in filter(None, groups):  # each fold is decided with thresholds chosen on the other folds alone
        held = set(group)
        others = [ex for ex in examples if ex.article.id not in held]
        models[group[0]].thresholds = choose_thresholds(others, probabilities, kb)
    thresholds = choose_thresholds(examples, probabilities, kb)  # the final model's
    predicted = {ex.article.id: predict(ex, models[ex.article.id], kb) for ex in examples}
    rules = {ex.article.id: list(ex.analysed.rule_facts) for ex in baseline}
    langs = sorted({ex.article.lang for ex in examples})

    def subset(chosen_from: Sequence[Example], facts: dict[str, list[Fact]], lang: str) -> Scores:
        chosen = [ex for ex in chosen_from if ex.article.lang == lang]
        return score(chosen, {ex.article.id: facts[ex.article.id] for ex in chosen}, kb)

    return CrossValidation(
        folds=groups,
        scores=score(examples, predicted, kb),
        by_language={lang: subset(examples, predicted, lang) for lang in langs},
        thresholds=thresholds,
        rules=score(baseline, rules, kb),
        rules_by_language={lang: subset(baseline, rules, lang) for lang in langs},
        entities=CorpusScorer(examples, kb).entities(examples, kb),
        rules_entities=CorpusScorer(baseline, kb).entities(baseline, kb),
        reach=reach(examples),
    )


def train(
    gold_dir: str | Path | Sequence[str | Path],
    paths: Sequence[str] = (),
    out: str | Path | None = None,
    config: TrainConfig | None = None,
    ontology: Sequence[str] = (),
    cross_validation: bool = True,
) -> tuple[RelationModel, CrossValidation | None]:
    """Fit the extractor (the name typer, then the relation and amount model) on every annotated
    article under the gold folders and save it to `out` (the typer in `out/typer`).

    With `cross_validation`, thresholds are chosen on out-of-fold predictions and the
    cross-validated scores are returned; otherwise every threshold is 0.5."""
    import tempfile

    config = config or TrainConfig()
    pairs = annotated(gold_dir, paths)
    baseline = analyse_examples(pairs, ontology, config.rule_features)
    typer = fit_typer(baseline, config)
    with tempfile.TemporaryDirectory() as scratch:
        typer_dir = Path(scratch) / "typer"
        typer.save(typer_dir)
        trained = analyse_examples(pairs, ontology, config.rule_features, str(typer_dir))
        cv = cross_validate(pairs, config, ontology, baseline, trained, work=scratch) if cross_validation else None
    model = fit_model(trained, config)
    if cv is not None:
        model.thresholds = dict(cv.thresholds)
    model.config["trained_on"] = sorted(ex.article.id for ex in trained)
    if out is not None:
        model.save(out)
        typer.save(Path(out) / "typer")
    return model, cv


def report_lines(model: RelationModel, cv: CrossValidation | None) -> list[str]:
    """What `kg train` prints: the folds, then cross-validated P/R/F1 per relation, for the model and
    for the patterns alone, in all and per language, and the amounts."""
    lines = [
        f"trained on {model.config.get('articles', 0)} article(s); positives: "
        + ", ".join(f"{r} {n}" for r, n in model.config.get("positives", {}).items())
    ]
    if cv is None:
        return lines
    for n, group in enumerate(cv.folds, 1):
        lines.append(f"fold {n}: {' '.join(group)}")
    lines.append(f"{'cross-validated':<22}{'P':>7}{'R':>7}{'F1':>7}   {'pat. P':>7}{'R':>7}{'F1':>7}")

    def row(name: str, relations: Sequence[str], s: Scores, r: Scores) -> str:
        p, rc, f = s.prf(relations)
        rp, rr, rf = r.prf(relations)
        return f"{name:<22}{p:>7.3f}{rc:>7.3f}{f:>7.3f}   {rp:>7.3f}{rr:>7.3f}{rf:>7.3f}"

    for label, s, r in [("", cv.scores, cv.rules)] + [
        (f"[{lang}] ", cv.by_language[lang], cv.rules_by_language[lang]) for lang in cv.by_language
    ]:
        lines.append(row(f"{label}core", RELATIONS[:4], s, r))
        lines.append(row(f"{label}extended", RELATIONS[4:], s, r))
        if not label:
            for relation in RELATIONS:
                lines.append(row(f"  {relation}", [relation], s, r))
        lines.append(f"{label}amounts right: {s.amounts[0]}/{s.amounts[1]} (patterns {r.amounts[0]}/{r.amounts[1]})")

    def prf(tp: int, fp: int, fn: int) -> str:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return f"{p:>7.3f}{r:>7.3f}{(2 * p * r / (p + r) if p + r else 0.0):>7.3f}"

    lines.append(f"{'entities':<22}{prf(*cv.entities)}   {prf(*cv.rules_entities)}")
    lines.append("reach (gold facts per article; both ends found as entities; some candidate can state it):")
    for relation, (total, ends, candidates) in cv.reach.items():
        lines.append(
            f"  {relation:<20}{total:>6}{ends:>6} ({ends / max(total, 1):.0%}){candidates:>6} "
            f"({candidates / max(total, 1):.0%})"
        )
    lines.append("thresholds: " + ", ".join(f"{r} {t:.2f}" for r, t in cv.thresholds.items()))
    return lines
