"""RDF building: a small hand-made extraction gives exactly the expected graph (compared by isomorphism)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.graph import entity_iris, to_rdf
from kg.namespace import mint
from kg.records import Article, ArticleResult, Entity, Fact, Mention

DATA = Path(__file__).parent / "data"

TEXT = "A Nvidia vai investir US$ 2 bilhões na OpenAI. O Banco da China apoia o setor."


def small_result() -> tuple[ArticleResult, dict[str, Entity], dict[str, list[tuple[str, str]]]]:
    article = Article(
        id="a.pt.txt",
        path="articles/a.pt.txt",
        title="",
        text=TEXT,
        lang="pt",
        url="https://news.example.com/a",
        published="2025-09-22",
    )
    mentions = (
        Mention(2, 8, "Nvidia", "Organization", "nvidia", "kb", 0),
        Mention(40, 46, "OpenAI", "Organization", "openai", "kb", 0),
        Mention(50, 64, "Banco da China", "Organization", "bank-of-china", "kb", 1),
    )
    facts = (
        Fact(
            "nvidia",
            "investsIn",
            "openai",
            "a.pt.txt",
            TEXT[:47],
            0,
            47,
            0.83,
            Decimal("2000000000"),
            "USD",
            "2025-09-22",
        ),
    )
    entities = {
        "nvidia": Entity("nvidia", "NVIDIA", "Organization", ("Nvidia",), "Q182477"),
        "openai": Entity("openai", "OpenAI", "Organization", (), "Q21708200"),
        "bank-of-china": Entity("bank-of-china", "Bank of China", "Organization", ("Banco da China",), "Q790068"),
    }
    kb_names = {"bank-of-china": [("Bank of China", "en"), ("Banco da China", "pt")]}
    return ArticleResult(article, mentions, facts), entities, kb_names


def test_a_small_extraction_gives_the_expected_graph() -> None:
    result, entities, kb_names = small_result()
    built = to_rdf([result], entities, kb_names)
    expected = Graph().parse(DATA / "small-graph.ttl", format="turtle")
    if not isomorphic(built, expected):
        _, only_built, only_expected = graph_diff(to_isomorphic(built), to_isomorphic(expected))
        raise AssertionError(
            "graphs differ\nonly built:\n"
            + only_built.serialize(format="nt")
            + "\nonly expected:\n"
            + only_expected.serialize(format="nt")
        )


def test_sectors_appear_only_as_investment_targets() -> None:
    result, entities, kb_names = small_result()
    entities["artificial-intelligence"] = Entity("artificial-intelligence", "artificial intelligence", "Sector")
    sector = Mention(70, 75, "setor", "Sector", "artificial-intelligence", "kb", 1)
    with_sector = ArticleResult(result.article, result.mentions + (sector,), result.facts)
    graph = to_rdf([with_sector], entities, kb_names)
    assert not any("artificial-intelligence" in str(s) for s in graph.subjects())


def test_entity_iris_are_unique_and_stable() -> None:
    entities = {
        "new:Organization:acme": Entity("new:Organization:acme", "Acme", "Organization"),
        "new:Product:acme": Entity("new:Product:acme", "Acme", "Product"),
        "acme": Entity("acme", "Acme Corp", "Organization"),
    }
    iris = entity_iris(entities)
    assert len(set(iris.values())) == 3
    assert iris["acme"].value == str(mint("entity", "acme"))  # knowledge-base keys keep their IRI
    assert iris == entity_iris(dict(reversed(list(entities.items()))))
