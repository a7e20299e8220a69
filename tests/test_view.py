"""The graph page and the graph measures, without a browser: data, escaping, offline, max_nodes."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg import measures, view
from kg.namespace import KG, WIKIDATA, bind_prefixes, mint

HOSTILE_LABEL = "<img src=x onerror=alert(1)>"
HOSTILE_TITLE = "</script><script>document.title='pwned'</script>"
HOSTILE_URL = "javascript:alert(1)"
HOSTILE_EVIDENCE = "He said \"stop\" and 'go' to <b>everyone</b> & left </script><!-- \u2028 end."
HOSTILE_ALIAS = '"><svg onload=alert(1)>'


class GraphBuilder:
    """Writes entities, articles and evidenced facts in the shape the RDF contract fixes."""

    def __init__(self) -> None:
        self.graph = bind_prefixes(Graph())
        self.count = 0

    def entity(self, label: str, kind: str, *, aliases: tuple[str, ...] = (), wikidata: str = "") -> URIRef:
        iri = mint("entity", label)
        g = self.graph
        g.add((iri, RDF.type, KG[kind]))
        g.add((iri, RDFS.label, Literal(label)))
        for alias in aliases:
            g.add((iri, SKOS.altLabel, Literal(alias)))
        if wikidata:
            g.add((iri, OWL.sameAs, WIKIDATA[wikidata]))
        return iri

    def article(self, key: str, title: str, *, url: str = "", lang: str = "en", date: str = "2025-01-27") -> URIRef:
        iri = mint("article", key)
        g = self.graph
        g.add((iri, RDF.type, KG.Article))
        g.add((iri, DCTERMS.title, Literal(title)))
        if url:
            g.add((iri, DCTERMS.source, Literal(url)))
        g.add((iri, DCTERMS.language, Literal(lang)))
        g.add((iri, DCTERMS.date, Literal(date, datatype=XSD.date)))
        return iri

    def fact(
        self,
        s: URIRef,
        relation: str,
        o: URIRef,
        article: URIRef,
        sentence: str,
        *,
        amount: str | None = None,
        currency: str | None = None,
        date: str | None = None,
    ) -> URIRef:
        g = self.graph
        self.count += 1
        a = mint("assertion", f"a{self.count}")
        g.add((s, KG[relation], o))
        for entity in (s, o):
            g.add((article, KG.mentions, entity))
        g.add((a, RDF.type, KG.Assertion))
        g.add((a, RDF.subject, s))
        g.add((a, RDF.predicate, KG[relation]))
        g.add((a, RDF.object, o))
        g.add((a, PROV.wasDerivedFrom, article))
        g.add((a, KG.evidence, Literal(sentence)))
        g.add((a, KG.startOffset, Literal(0)))
        g.add((a, KG.endOffset, Literal(len(sentence))))
        g.add((a, KG.confidence, Literal(Decimal("0.9"))))
        if amount is not None:
            g.add((a, KG.amount, Literal(Decimal(amount))))
        if currency:
            g.add((a, KG.currency, Literal(currency)))
        if date:
            g.add((a, KG.date, Literal(date, datatype=XSD.date)))
        return a


INVESTS_SENTENCE = "Nvidia will invest up to $100 billion in OpenAI as the AI lab builds new data centres."


def sample_graph() -> Graph:
    """A small English and Portuguese graph: every relation, aliases, an amount, Wikidata links."""
    b = GraphBuilder()
    nvidia = b.entity("NVIDIA", "Organization", aliases=("Nvidia", "NVIDIA Corporation"), wikidata="Q182477")
    openai = b.entity("OpenAI", "Organization", wikidata="Q21708200")
    softbank = b.entity("SoftBank", "Organization", aliases=("SoftBank Group",), wikidata="Q201653")
    boc = b.entity("Bank of China", "Organization", aliases=("Banco da China",), wikidata="Q790068")
    deepseek = b.entity("DeepSeek", "Organization", wikidata="Q130342472")
    huawei = b.entity("Huawei", "Organization", wikidata="Q160120")
    r1 = b.entity("DeepSeek-R1", "AIModel", aliases=("R1",))
    h800 = b.entity("H800", "Hardware", aliases=("Nvidia H800",))
    stargate = b.entity("Stargate", "Project", aliases=("Projeto Stargate",))
    altman = b.entity("Sam Altman", "Person", wikidata="Q7407093")
    china = b.entity("China", "Place", aliases=("República Popular da China",), wikidata="Q148")
    sector = b.entity("Artificial intelligence", "Sector", aliases=("Inteligência artificial", "IA", "AI"))
    chatgpt = b.entity("ChatGPT", "Product", wikidata="Q115564437")

    en1 = b.article(
        "nvidia-openai.en.html",
        "Nvidia to invest $100 billion in OpenAI",
        url="https://example.com/news/nvidia-openai",
        date="2025-09-22",
    )
    en2 = b.article(
        "stargate.en.md",
        "OpenAI and SoftBank launch Stargate",
        url="https://example.com/stargate",
        date="2025-01-21",
    )
    pt1 = b.article(
        "banco-da-china.pt.md",
        "Banco da China vai investir 1 trilhão de yuans em IA",
        lang="pt",
        url="https://example.com.br/banco-da-china",
        date="2025-02-10",
    )
    pt2 = b.article("deepseek.pt.txt", "DeepSeek lança o R1, treinado com chips H800", lang="pt", date="2025-01-27")

    b.fact(
        nvidia,
        "investsIn",
        openai,
        en1,
        INVESTS_SENTENCE,
        amount="100000000000",
        currency="USD",
        date="2025-09-22",
    )
    b.fact(
        boc,
        "investsIn",
        sector,
        pt1,
        "O Banco da China vai investir 1 trilhão de yuans na indústria de inteligência artificial.",
        amount="1000000000000",
        currency="CNY",
    )
    b.fact(openai, "partnersWith", softbank, en2, "OpenAI and SoftBank announced Stargate, a joint venture.")
    b.fact(softbank, "partnersWith", openai, en2, "SoftBank will partner with OpenAI on Stargate.")
    b.graph.add((softbank, KG.partnersWith, openai))
    b.fact(softbank, "investsIn", stargate, en2, "SoftBank is investing in Stargate alongside OpenAI.")
    b.fact(altman, "leads", openai, en2, "Sam Altman, who leads OpenAI, spoke at the White House.")
    b.fact(chatgpt, "developedBy", openai, en2, "ChatGPT, developed by OpenAI, has 300 million users.")
    b.fact(r1, "developedBy", deepseek, pt2, "O DeepSeek-R1, desenvolvido pela DeepSeek, surpreendeu o mercado.")
    b.fact(r1, "trainedOn", h800, pt2, "O modelo R1 foi treinado com chips H800 da Nvidia.")
    b.fact(deepseek, "locatedIn", china, pt2, "A DeepSeek, sediada na China, abalou o setor.")
    b.fact(huawei, "competesWith", nvidia, pt2, "A Huawei concorre com a Nvidia no mercado de chips de IA.")
    b.fact(deepseek, "competesWith", openai, pt2, "A DeepSeek rivaliza com a OpenAI.")
    return b.graph


def hostile_graph() -> Graph:
    """A graph whose article-derived strings try to break out of the page."""
    b = GraphBuilder()
    bad = b.entity(HOSTILE_LABEL, "Organization", aliases=(HOSTILE_ALIAS, "javascript:alert(3)"))
    good = b.entity("OpenAI", "Organization", wikidata="Q21708200")
    evil = b.article("evil.html", HOSTILE_TITLE, url=HOSTILE_URL)
    b.graph.add((bad, OWL.sameAs, URIRef("javascript:alert(2)")))
    b.fact(bad, "investsIn", good, evil, HOSTILE_EVIDENCE, amount="5", currency="<b>X</b>")
    return b.graph


def page_json(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert match, "the page has no data element"
    return json.loads(match.group(1))


# ---- analysis ----------------------------------------------------------------------------------


def test_to_networkx_nodes_and_edges_carry_the_contract() -> None:
    nxg = measures.to_networkx(sample_graph())
    boc = str(mint("entity", "Bank of China"))
    assert nxg.nodes[boc]["label"] == "Bank of China"
    assert nxg.nodes[boc]["type"] == "Organization"
    assert nxg.nodes[boc]["aliases"] == ["Banco da China"]
    assert nxg.nodes[boc]["wikidata"] == "http://www.wikidata.org/entity/Q790068"
    assert nxg.nodes[boc]["articles"] == 1
    nvidia, openai = str(mint("entity", "NVIDIA")), str(mint("entity", "OpenAI"))
    edge = nxg.edges[nvidia, openai, "investsIn"]
    assert edge["relation"] == "investsIn"
    (evidence,) = edge["evidence"]
    assert evidence["text"] == INVESTS_SENTENCE
    assert (evidence["amount"], evidence["currency"], evidence["date"]) == (
        "100000000000",
        "USD",
        "2025-09-22",
    )
    assert evidence["title"] == "Nvidia to invest $100 billion in OpenAI"
    assert evidence["url"] == "https://example.com/news/nvidia-openai"


def test_symmetric_fact_stated_both_ways_counts_once_with_all_its_evidence() -> None:
    nxg = measures.to_networkx(sample_graph())
    openai, softbank = str(mint("entity", "OpenAI")), str(mint("entity", "SoftBank"))
    found = [(fact, ev) for fact, ev in measures.facts(nxg) if fact[1] == "partnersWith"]
    assert len(found) == 1
    ((fact, evidence),) = found
    assert {fact[0], fact[2]} == {openai, softbank}
    assert len(evidence) == 2


def test_summary_counts() -> None:
    info = measures.summary(sample_graph())
    assert info["articles"] == 4
    assert info["entities"] == 13
    assert info["entities_by_type"]["Organization"] == 6
    assert info["facts_by_relation"]["investsIn"] == 3
    assert info["facts_by_relation"]["partnersWith"] == 1
    assert info["facts"] == 11
    assert info["assertions"] == 12
    assert info["dates"] == ["2025-01-21", "2025-09-22"]


def test_importance_is_a_deterministic_pagerank() -> None:
    import networkx as nx
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    nxg = measures.to_networkx(sample_graph())
    ranks = measures.importance(nxg)
    assert ranks == measures.importance(measures.to_networkx(sample_graph()))
    assert sum(ranks.values()) == pytest.approx(1.0)
    assert max(ranks, key=ranks.get) == str(mint("entity", "OpenAI"))
    undirected = nx.Graph()
    undirected.add_nodes_from(nxg.nodes)
    for (s, _rel, o), _ev in measures.facts(nxg):
        weight = undirected.edges[s, o]["weight"] + 1 if undirected.has_edge(s, o) else 1
        undirected.add_edge(s, o, weight=weight)
    expected = _pagerank_python(undirected, weight="weight", tol=1e-12, max_iter=1000)
    for node, value in expected.items():
        assert ranks[node] == pytest.approx(value, rel=1e-6)


def test_degree_ranking() -> None:
    nxg = measures.to_networkx(sample_graph())
    ranking = measures.degree_ranking(nxg, n=3)
    assert ranking[0] == ("OpenAI", "Organization", 5)
    assert ranking[1] == ("DeepSeek", "Organization", 3)
    assert len(ranking) == 3
    assert all(ranking[i][2] >= ranking[i + 1][2] for i in range(2))


def test_empty_graph() -> None:
    nxg = measures.to_networkx(Graph())
    assert nxg.number_of_nodes() == 0
    assert measures.importance(nxg) == {}
    assert measures.summary(Graph())["entities"] == 0


# ---- the page ----------------------------------------------------------------------------------


def test_page_data_round_trips_and_matches_the_graph(tmp_path) -> None:
    graph = sample_graph()
    stats = view.write_page(graph, tmp_path / "graph.html")
    page = (tmp_path / "graph.html").read_text(encoding="utf-8")
    data = page_json(page)
    assert stats["nodes"] == len(data["nodes"]) == 13
    assert stats["edges"] == len(data["edges"]) == 11
    assert stats["nodes_left_out"] == 0
    boc = next(n for n in data["nodes"] if n["label"] == "Bank of China")
    assert boc["aliases"] == ["Banco da China"]
    invest = next(e for e in data["edges"] if e["rel"] == "investsIn" and data["nodes"][e["from"]]["label"] == "NVIDIA")
    assert invest["evidence"][0]["text"] == INVESTS_SENTENCE
    assert invest["evidence"][0]["amount"] == "100000000000"
    assert data["articles"][invest["evidence"][0]["article"]]["url"] == "https://example.com/news/nvidia-openai"
    assert data["summary"]["facts"] == 11
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])


def test_page_is_deterministic(tmp_path) -> None:
    view.write_page(sample_graph(), tmp_path / "a.html")
    view.write_page(sample_graph(), tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    view.write_page(sample_graph(), tmp_path / "c.html", built="2025-10-01")
    assert "2025-10-01" in (tmp_path / "c.html").read_text(encoding="utf-8")


def test_page_is_self_contained(tmp_path) -> None:
    view.write_page(sample_graph(), tmp_path / "graph.html")
    page = (tmp_path / "graph.html").read_text(encoding="utf-8")
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"<link[^>]+stylesheet", page, re.I)
    assert not re.search(r"<script[^>]+\bsrc\s*=", page, re.I)
    assert "@import" not in page
    assert "vis-network" in page and "MIT" in page and "Apache" in page  # the licence notice is kept
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp
    policy = csp.group(1)
    assert "default-src 'none'" in policy and "connect-src" not in policy
    assert "'unsafe-eval'" not in policy and "script-src 'sha256-" in policy
    assert "img-src data:" in policy


def test_csp_hashes_match_the_inline_scripts(tmp_path) -> None:
    import base64
    import hashlib

    view.write_page(sample_graph(), tmp_path / "graph.html")
    page = (tmp_path / "graph.html").read_text(encoding="utf-8")
    policy = re.search(r'content="(default-src[^"]+)"', page).group(1)
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 2
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in policy


def test_hostile_strings_stay_data(tmp_path) -> None:
    view.write_page(hostile_graph(), tmp_path / "graph.html", title="<script>alert('title')</script>")
    page = (tmp_path / "graph.html").read_text(encoding="utf-8")
    for needle in (
        HOSTILE_LABEL,
        HOSTILE_TITLE,
        HOSTILE_ALIAS,
        "<b>everyone</b>",
        "<script>alert('title')",
        "<img",
        "<svg",
        "\u2028",
    ):
        assert needle not in page
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in page
    # exactly the page's own script elements, and nothing from the data opens or closes one
    vendored = view._vis_assets()[0].count("<script")
    assert page.count("<script") == 3 + vendored
    assert page.count("</script") == 3
    data = page_json(page)
    assert data["nodes"][[n["label"] for n in data["nodes"]].index(HOSTILE_LABEL)]["aliases"] == sorted(
        [HOSTILE_ALIAS, "javascript:alert(3)"]
    )
    (edge,) = data["edges"]
    assert edge["evidence"][0]["text"] == HOSTILE_EVIDENCE
    (article,) = data["articles"]
    assert article["title"] == HOSTILE_TITLE
    assert article["url"] == ""  # not http(s): never a link
    assert all(n["wikidata"] == "" or n["wikidata"].startswith("http") for n in data["nodes"])


def test_script_json_escapes_breakout_characters() -> None:
    text = view.script_json({"a": "</script><!--&\u2028\u2029"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!--&\u2028\u2029"}


def test_max_nodes_keeps_the_most_important_and_says_so(tmp_path) -> None:
    stats = view.write_page(sample_graph(), tmp_path / "graph.html", max_nodes=4)
    data = page_json((tmp_path / "graph.html").read_text(encoding="utf-8"))
    assert stats["nodes"] == len(data["nodes"]) == 4
    assert stats["nodes_left_out"] == 9
    assert stats["edges_left_out"] == 11 - stats["edges"]
    assert data["nodes"][0]["label"] == "OpenAI"
    assert data["shown"] == {"nodes": 4, "facts": stats["edges"], "max_nodes": 4, "max_facts": 16}
    kept = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in kept and e["to"] in kept for e in data["edges"])
    # the notice is written by the page from these numbers
    template = (tmp_path / "graph.html").read_text(encoding="utf-8")
    assert "most important of" in template and "Left out:" in template


def test_the_page_keeps_the_facts_of_the_most_important_entities_and_a_few_sentences_each(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(view, "FACTS_PER_NODE", 0.5)
    monkeypatch.setattr(view, "EVIDENCE_PER_FACT", 1)
    graph = sample_graph()
    every = view.page_data(graph, max_nodes=None)  # no node limit: no fact limit either
    data = view.page_data(graph, max_nodes=13)
    assert len(data["nodes"]) == len(every["nodes"]) == 13
    assert len(data["edges"]) == data["shown"]["max_facts"] == 6 < len(every["edges"])
    rank = {n["id"]: n["rank"] for n in data["nodes"]}
    best = sorted(every["edges"], key=lambda e: min(e["from"], e["to"]))[:1]
    assert {(e["from"], e["to"]) for e in best} <= {(e["from"], e["to"]) for e in data["edges"]}
    assert all(len(e["evidence"]) <= 1 <= e["count"] for e in data["edges"])
    stated_twice = [e for e in every["edges"] if e["count"] > 1]
    assert stated_twice and all(len(e["evidence"]) == 1 for e in stated_twice)
    assert min(rank.values()) == 1


def test_write_page_replaces_atomically(tmp_path) -> None:
    target = tmp_path / "out" / "graph.html"
    view.write_page(sample_graph(), target)
    first = target.read_bytes()
    view.write_page(hostile_graph(), target)
    assert target.read_bytes() != first
    assert sorted(p.name for p in target.parent.iterdir()) == ["graph.html"]


def test_empty_graph_page(tmp_path) -> None:
    stats = view.write_page(Graph(), tmp_path / "graph.html")
    assert stats["nodes"] == 0 and stats["edges"] == 0
    assert page_json((tmp_path / "graph.html").read_text(encoding="utf-8"))["nodes"] == []


def test_force_layout_is_deterministic_and_spread() -> None:
    import numpy as np

    links = [(i, (i * 7 + 3) % 60) for i in range(60)]
    a = view.force_layout(60, links)
    b = view.force_layout(60, links)
    assert np.array_equal(a, b)
    assert a.shape == (60, 2)
    distances = np.linalg.norm(a[:, None] - a[None, :], axis=-1) + np.eye(60)
    assert distances.min() > 0.05
