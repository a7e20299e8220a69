"""Score a built graph against gold annotations in the guidelines' JSON format, with the reasons.

A gold file `<id>.json` lists the entities of one article (`id`, `type`, `names`, `optional`)
and its relations (`s`, `p`, `o`, `amount`, `currency`, `evidence`, `optional`). A predicted
entity matches a gold entity of the same type when one of its labels equals one of the gold
names after normalisation (case, accents, punctuation and a leading article dropped).
Scores are corpus-level; misses and false positives are listed with their evidence.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .namespace import ENTITY_TYPES, KG, RELATIONS, SYMMETRIC

LEADING_ARTICLES = ("the ", "o ", "a ", "os ", "as ")


def normalise(name: str) -> str:
    """The form names are compared in: no accents, case or punctuation, no leading article."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^0-9a-z]+", " ", ascii_name.casefold()).strip()
    for article in LEADING_ARTICLES:
        if text.startswith(article) and len(text) > len(article):
            return text[len(article) :]
    return text


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    """Per-type and per-relation counts, plus every miss and false positive with why."""

    entities: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    relations: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    amounts: Counts = field(default_factory=Counts)
    missed_entities: list[dict[str, Any]] = field(default_factory=list)
    false_entities: list[dict[str, Any]] = field(default_factory=list)
    missed_relations: list[dict[str, Any]] = field(default_factory=list)
    false_relations: list[dict[str, Any]] = field(default_factory=list)

    def total(self, table: dict[str, Counts], names) -> Counts:
        out = Counts()
        for name in names:
            c = table.get(name, Counts())
            out.tp, out.fp, out.fn = out.tp + c.tp, out.fp + c.fp, out.fn + c.fn
        return out

    def as_dict(self) -> dict[str, Any]:
        def row(c: Counts) -> dict[str, Any]:
            return {
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
                "precision": round(c.precision, 3),
                "recall": round(c.recall, 3),
                "f1": round(c.f1, 3),
            }

        typed = [t for t in ENTITY_TYPES if t != "Sector"]
        return {
            "entities": row(self.total(self.entities, typed)),
            "entities_by_type": {t: row(self.entities[t]) for t in typed if t in self.entities},
            "core": row(self.total(self.relations, RELATIONS[:4])),
            "extended": row(self.total(self.relations, RELATIONS[4:])),
            "relations": {r: row(self.relations[r]) for r in RELATIONS if r in self.relations},
            "amounts": {"right": self.amounts.tp, "total": self.amounts.tp + self.amounts.fn},
            "missed_entities": self.missed_entities,
            "false_entities": self.false_entities,
            "missed_relations": self.missed_relations,
            "false_relations": self.false_relations,
        }


def load_gold(gold_dir: str | Path) -> list[dict[str, Any]]:
    """Every `<id>.json` gold file of `gold_dir`, in name order."""
    folder = Path(gold_dir)
    if not folder.is_dir():
        raise InputError(f"gold folder not found: {folder}")
    docs = []
    for path in sorted(folder.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            doc.setdefault("id", path.stem)
            doc.setdefault("entities", [])
            doc.setdefault("relations", [])
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not a gold file: {exc}") from exc
        docs.append(doc)
    if not docs:
        raise InputError(f"no gold files (*.json) in {folder}")
    return docs


def evaluate(graph, gold_docs: list[dict[str, Any]]) -> Evaluation:
    """Compare `graph` (an rdflib graph following the output contract) with the gold documents."""
    from rdflib import RDF, RDFS
    from rdflib.namespace import PROV, SKOS

    result = Evaluation()
    # gold, corpus-wide: an entity id names the same thing in every article
    gold_entities: dict[str, dict[str, Any]] = {}
    for doc in gold_docs:
        for e in doc["entities"]:
            g = gold_entities.setdefault(e["id"], {"type": e["type"], "names": set(), "optional": True, "articles": []})
            g["names"] |= {normalise(n) for n in e.get("names", [])}
            g["optional"] = g["optional"] and bool(e.get("optional"))
            g["articles"].append(doc["id"])
    gold_relations: dict[tuple[str, str, str], dict[str, Any]] = {}
    for doc in gold_docs:
        for r in doc["relations"]:
            s, p, o = r["s"], r["p"], r["o"]
            if p in SYMMETRIC:
                s, o = sorted((s, o))
            old = gold_relations.get((s, p, o))
            if old is None or (old.get("optional") and not r.get("optional")):
                gold_relations[(s, p, o)] = dict(r, article=doc["id"])
            elif "amount" in r and "amount" not in old:
                old["amount"], old["currency"] = r["amount"], r.get("currency")
    by_name: dict[str, set[str]] = defaultdict(set)
    for gid, g in gold_entities.items():
        for n in g["names"]:
            by_name[n].add(gid)

    # predicted entities
    node_type: dict[Any, str] = {}
    for t in ENTITY_TYPES:
        for node in graph.subjects(RDF.type, KG[t]):
            node_type.setdefault(node, t)
    node_gold: dict[Any, set[str]] = {}
    node_label: dict[Any, str] = {}
    for node in node_type:
        labels = set(graph.objects(node, RDFS.label)) | set(graph.objects(node, SKOS.altLabel))
        node_label[node] = str(graph.value(node, RDFS.label) or node)
        node_gold[node] = {gid for label in labels for gid in by_name.get(normalise(str(label)), ())}

    hit: set[str] = set()
    for node in sorted(node_type, key=str):
        t = node_type[node]
        if t == "Sector":
            continue
        ids = {i for i in node_gold[node] if gold_entities[i]["type"] != "Sector"}
        new = {i for i in ids if gold_entities[i]["type"] == t} - hit
        hit |= new
        if any(not gold_entities[i]["optional"] for i in new):
            result.entities[t].tp += 1
        elif new or (ids and all(gold_entities[i]["optional"] for i in ids)):
            continue
        else:
            result.entities[t].fp += 1
            why = (
                "wrong type: gold says " + ", ".join(sorted({gold_entities[i]["type"] for i in ids}))
                if ids
                else "not a gold entity"
                if not (ids - hit)
                else "duplicate of an entity already matched"
            )
            if ids and ids <= hit:
                why = "duplicate node for an entity already matched"
            result.false_entities.append({"label": node_label[node], "type": t, "why": why})
    for gid, g in sorted(gold_entities.items()):
        if g["optional"] or g["type"] == "Sector" or gid in hit:
            continue
        result.entities[g["type"]].fn += 1
        result.missed_entities.append(
            {"id": gid, "type": g["type"], "names": sorted(g["names"]), "articles": g["articles"]}
        )

    # evidence of predicted facts
    evidence: dict[tuple, list[str]] = defaultdict(list)
    for a in graph.subjects(RDF.type, KG.Assertion):
        key = (graph.value(a, RDF.subject), graph.value(a, RDF.predicate), graph.value(a, RDF.object))
        source = graph.value(a, PROV.wasDerivedFrom)
        article = str(graph.value(source, _dcterms("identifier")) or source) if source is not None else ""
        evidence[key].append(f"[{article}] {graph.value(a, KG.evidence)}")

    found: set[tuple] = set()
    for rel in RELATIONS:
        for s, o in sorted(graph.subject_objects(KG[rel]), key=str):
            keys = set()
            for gs in node_gold.get(s, ()):
                for go in node_gold.get(o, ()):
                    a, b = sorted((gs, go)) if rel in SYMMETRIC else (gs, go)
                    if (a, rel, b) in gold_relations:
                        keys.add((a, rel, b))
            if not keys:
                result.relations[rel].fp += 1
                result.false_relations.append(
                    {
                        "relation": rel,
                        "subject": node_label.get(s, str(s)),
                        "object": node_label.get(o, str(o)),
                        "evidence": evidence.get((s, KG[rel], o), [])[:3],
                    }
                )
                continue
            required = {k for k in keys if not gold_relations[k].get("optional")}
            new = required - found
            if new:
                result.relations[rel].tp += 1
                found |= new
    for key, r in sorted(gold_relations.items()):
        if r.get("optional") or key in found:
            continue
        result.relations[key[1]].fn += 1
        result.missed_relations.append(
            {
                "relation": key[1],
                "subject": key[0],
                "object": key[2],
                "article": r["article"],
                "evidence": r.get("evidence", ""),
            }
        )

    # amounts of investments
    predicted: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for a in graph.subjects(KG.amount, None):
        if graph.value(a, RDF.predicate) != KG.investsIn:
            continue
        s, o = graph.value(a, RDF.subject), graph.value(a, RDF.object)
        amount, currency = float(graph.value(a, KG.amount)), str(graph.value(a, KG.currency) or "")
        for gs in node_gold.get(s, ()):
            for go in node_gold.get(o, ()):
                predicted[(gs, go)].append((amount, currency))
    for (s, p, o), r in sorted(gold_relations.items()):
        if p != "investsIn" or "amount" not in r or r.get("optional"):
            continue
        want = float(r["amount"])
        if any(
            abs(a - want) <= 0.01 * want and c.upper() == str(r.get("currency", "")).upper()
            for a, c in predicted[(s, o)]
        ):
            result.amounts.tp += 1
        else:
            result.amounts.fn += 1
    return result


def _dcterms(term: str):
    from rdflib.namespace import DCTERMS

    return DCTERMS[term]
