"""Build the example articles end to end and check the graph a user gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal
from rdflib.namespace import PROV

import kg
from kg.namespace import KG, mint
from kg.validate import validate

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "examples" / "articles"
QUERIES = sorted((ROOT / "examples" / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Graph]:
    out = tmp_path_factory.mktemp("kg-out")
    report = kg.build([ARTICLES], out=out)
    assert report.articles >= 10 and not report.skipped
    assert set(report.languages) == {"en", "pt"}
    return out, Graph().parse(out / "graph.ttl", format="turtle")


def entity(name: str):
    return mint("entity", name)


@pytest.mark.parametrize(
    ("key", "label", "type_name"),
    [
        ("deepseek", "DeepSeek", "Organization"),
        ("openai", "OpenAI", "Organization"),
        ("nvidia", "NVIDIA", "Organization"),
        ("bank-of-china", "Bank of China", "Organization"),
        ("stargate", "Stargate", "Project"),
        ("deepseek-r1", "DeepSeek-R1", "AIModel"),
        ("h800", "H800", "Hardware"),
        ("china", "China", "Place"),
        ("jensen-huang", "Jensen Huang", "Person"),
    ],
)
def test_canonical_typed_entities(built, key: str, label: str, type_name: str) -> None:
    _, graph = built
    node = entity(key)
    assert (node, RDF.type, KG[type_name]) in graph
    assert list(graph.objects(node, RDFS.label)) == [Literal(label)]


def test_bank_of_china_comes_from_portuguese_text(built) -> None:
    _, graph = built
    node = entity("bank-of-china")
    articles = set(graph.subjects(KG.mentions, node))
    assert articles
    assert {str(graph.value(a, _dcterms("language"))) for a in articles} == {"pt"}


@pytest.mark.parametrize(
    ("s", "p", "o"),
    [
        ("deepseek-r1", "trainedOn", "h800"),
        ("deepseek-r1", "developedBy", "deepseek"),
        ("o1", "developedBy", "openai"),
        ("nvidia", "investsIn", "openai"),
        ("deepseek", "locatedIn", "china"),
        ("jensen-huang", "leads", "nvidia"),
        ("sam-altman", "leads", "openai"),
        ("mistral-ai", "locatedIn", "france"),
    ],
)
def test_facts_the_articles_state(built, s: str, p: str, o: str) -> None:
    _, graph = built
    assert (entity(s), KG[p], entity(o)) in graph


USER_STORY = "deepseek-nvidia-banco-da-china-stargate.pt.txt"  # the user's example story, in our own words


def _story_facts(graph: Graph) -> set[tuple[str, str, str, float | None, str | None]]:
    out = set()
    for a in graph.subjects(RDF.type, KG.Assertion):
        if graph.value(a, PROV.wasDerivedFrom) != mint("article", USER_STORY):
            continue
        amount = graph.value(a, KG.amount)
        out.add(
            (
                str(graph.value(a, RDF.subject)).rsplit("/", 1)[-1],
                str(graph.value(a, RDF.predicate)).rsplit("#", 1)[-1],
                str(graph.value(a, RDF.object)).rsplit("/", 1)[-1],
                float(amount) if amount is not None else None,
                str(graph.value(a, KG.currency)) if amount is not None else None,
            )
        )
    return out


@pytest.mark.parametrize(
    ("s", "p", "o", "amount", "currency"),
    [
        ("deepseek-r1", "competesWith", "o1", None, None),
        ("deepseek-r1", "trainedOn", "h800", None, None),
        ("deepseek-r1", "developedBy", "deepseek", None, None),
        ("o1", "developedBy", "openai", None, None),
        ("bank-of-china", "investsIn", "artificial-intelligence", 1e12, "CNY"),
        ("china", "investsIn", "artificial-intelligence", 1e12, "CNY"),
        ("stargate", "investsIn", "ai-infrastructure", 5e11, "USD"),
    ],
)
def test_the_user_s_example_story(built, s: str, p: str, o: str, amount, currency) -> None:
    _, graph = built
    found = _story_facts(graph)
    if amount is None:
        assert any(f[:3] == (s, p, o) or (p == "competesWith" and f[:3] == (o, p, s)) for f in found), sorted(found)
    else:
        assert (s, p, o, amount, currency) in found, sorted(found)


def test_a_rivalry_and_a_partnership(built) -> None:
    _, graph = built
    assert any(graph.subject_objects(KG.competesWith))
    assert any(graph.subject_objects(KG.partnersWith))


def test_investment_with_amount_currency_and_evidence(built) -> None:
    _, graph = built
    rows = [
        a
        for a in graph.subjects(RDF.predicate, KG.investsIn)
        if graph.value(a, RDF.subject) == entity("nvidia") and graph.value(a, RDF.object) == entity("openai")
    ]
    assert rows
    amounts = {
        (float(graph.value(a, KG.amount)), str(graph.value(a, KG.currency)))
        for a in rows
        if graph.value(a, KG.amount) is not None
    }
    assert (100e9, "USD") in amounts
    for a in rows:
        evidence = str(graph.value(a, KG.evidence))
        assert "OpenAI" in evidence
        article = graph.value(a, PROV.wasDerivedFrom)
        assert (article, RDF.type, KG.Article) in graph


def test_every_fact_has_an_assertion_with_its_sentence(built) -> None:
    _, graph = built
    for relation in ("competesWith", "investsIn", "trainedOn", "developedBy", "partnersWith", "leads", "locatedIn"):
        for s, o in graph.subject_objects(KG[relation]):
            assertions = [
                a
                for a in graph.subjects(RDF.subject, s)
                if graph.value(a, RDF.predicate) == KG[relation] and graph.value(a, RDF.object) == o
            ]
            assert assertions, (s, relation, o)
            for a in assertions:
                start, end = int(graph.value(a, KG.startOffset)), int(graph.value(a, KG.endOffset))
                assert end - start == len(str(graph.value(a, KG.evidence)))


def test_trained_on_evidence_in_both_languages(built) -> None:
    _, graph = built
    evidence = {str(graph.value(a, KG.evidence)) for a in graph.subjects(RDF.predicate, KG.trainedOn)}
    assert any("trein" in e for e in evidence) and any("train" in e for e in evidence)


def test_graph_passes_the_shapes(built) -> None:
    _, graph = built
    conforms, report = validate(graph)
    assert conforms, report


def test_same_articles_give_byte_identical_graph(built, tmp_path: Path) -> None:
    out, _ = built
    kg.build([ARTICLES], out=tmp_path / "again")
    assert (tmp_path / "again" / "graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()


@pytest.mark.parametrize("query_file", QUERIES, ids=lambda p: p.name)
def test_example_queries_run_and_answer(built, query_file: Path) -> None:
    out, _ = built
    result = kg.query(query_file.read_text(encoding="utf-8"), out)
    if result.kind == "ask":
        assert result.boolean is True
    else:
        assert result.rows, f"{query_file.name} returned nothing"


def _dcterms(term: str):
    from rdflib.namespace import DCTERMS

    return DCTERMS[term]
