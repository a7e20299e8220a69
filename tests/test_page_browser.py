"""The graph page in a real headless Chromium: offline, interactive, safe with hostile data, fast.

Run with `pytest -m browser -s` to see the measured timings. Skipped where playwright or
/usr/bin/chromium is missing (install with `.ci/browser-deps.sh`).
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

from kg import view  # noqa: E402
from kg.namespace import ENTITY_TYPES, RELATIONS  # noqa: E402

try:  # tests/ on sys.path (rootdir-relative imports) or tests as a package
    from test_view import (
        HOSTILE_EVIDENCE,
        HOSTILE_LABEL,
        HOSTILE_TITLE,
        INVESTS_SENTENCE,
        GraphBuilder,
        hostile_graph,
        sample_graph,
    )
except ImportError:  # pragma: no cover
    from tests.test_view import (
        HOSTILE_EVIDENCE,
        HOSTILE_LABEL,
        HOSTILE_TITLE,
        INVESTS_SENTENCE,
        GraphBuilder,
        hostile_graph,
        sample_graph,
    )

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Loaded:
    """A page opened from file://, with everything it asked for and complained about."""

    def __init__(self, browser: Any, path: Path, timeout: float = 60.0) -> None:
        self.page = browser.new_page(viewport={"width": 1440, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.url = path.resolve().as_uri()
        start = time.perf_counter()
        self.page.goto(self.url)
        # polled with evaluate: wait_for_function evals a string, which the page's CSP forbids
        while not self.page.evaluate("() => window.kgReady === true"):
            if time.perf_counter() - start > timeout:
                raise AssertionError(f"the page never became ready; errors: {self.errors}")
            self.page.wait_for_timeout(25)
        self.ready_seconds = time.perf_counter() - start

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def details(self) -> str:
        return self.page.inner_text("#details")

    def close(self) -> None:
        self.page.close()


@pytest.fixture()
def sample_page(browser, tmp_path):
    path = tmp_path / "graph.html"
    view.write_page(sample_graph(), path)
    loaded = Loaded(browser, path)
    yield loaded
    loaded.close()


def node_id(loaded: Loaded, label: str) -> int:
    return loaded.page.evaluate("(label) => kg.data.nodes.find(n => n.label === label).id", label)


def test_page_is_offline_and_draws_every_entity(sample_page: Loaded) -> None:
    page = sample_page.page
    page.wait_for_timeout(300)
    assert sample_page.requests == [sample_page.url]
    assert sample_page.errors == []
    assert page.evaluate("() => kg.nodes.length") == 13
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == 13
    assert page.evaluate("() => kg.network.body.edgeIndices.length") == 11
    assert "4 articles · 13 entities · 11 facts" in page.inner_text("#summary")
    assert page.is_hidden("#notice")
    legend = page.inner_text("#controls")
    assert "Organization" in legend and "invests in" in legend


def test_search_by_portuguese_alias_focuses_the_entity(sample_page: Loaded) -> None:
    page = sample_page.page
    page.click("#search")
    page.keyboard.type("banco da china")
    assert "Bank of China" in page.inner_text("#matches")
    page.keyboard.press("Enter")
    boc = node_id(sample_page, "Bank of China")
    assert page.evaluate("() => kg.network.getSelectedNodes()") == [boc]
    details = sample_page.details()
    assert "Bank of China" in details and "Banco da China" in details
    assert "Q790068" in details
    wikidata = page.get_attribute("#details a", "href")
    assert wikidata == "http://www.wikidata.org/entity/Q790068"
    # accents and case do not matter either way
    page.fill("#search", "")
    page.keyboard.type("INTELIGENCIA ARTIFICIAL")
    page.keyboard.press("Enter")
    assert page.evaluate("() => kg.network.getSelectedNodes()") == [node_id(sample_page, "Artificial intelligence")]
    assert sample_page.errors == []


def test_clicking_an_investment_shows_its_evidence_and_amount(sample_page: Loaded) -> None:
    page = sample_page.page
    nvidia, openai = node_id(sample_page, "NVIDIA"), node_id(sample_page, "OpenAI")
    edge = page.evaluate(
        "([a, b]) => kg.data.edges.find(e => e.from === a && e.to === b && e.rel === 'investsIn').id",
        [nvidia, openai],
    )
    page.evaluate("() => kg.network.fit({animation: false})")
    page.wait_for_timeout(100)
    x, y = page.evaluate(
        """([a, b]) => {
            const p = kg.network.getPositions([a, b]);
            const dom = kg.network.canvasToDOM({x: (p[a].x + p[b].x) / 2, y: (p[a].y + p[b].y) / 2});
            const box = document.getElementById('graph').getBoundingClientRect();
            return [box.left + dom.x, box.top + dom.y];
        }""",
        [nvidia, openai],
    )
    page.mouse.click(x, y)
    page.wait_for_timeout(100)
    assert page.evaluate("() => kg.network.getSelectedEdges()") == [edge]
    details = sample_page.details()
    assert INVESTS_SENTENCE in details
    amount = page.inner_text("#details dd.qualifier")
    assert "$100B" in amount and "100,000,000,000 USD" in amount
    assert "2025-09-22" in details
    assert "invests in" in details
    source = page.locator("#details .source a")
    assert source.inner_text() == "Nvidia to invest $100 billion in OpenAI"
    assert source.get_attribute("href") == "https://example.com/news/nvidia-openai"
    assert "noopener" in source.get_attribute("rel")
    # the neighbourhood of OpenAI hides what is not next to it, reset brings everything back
    page.evaluate("(id) => kg.selectNode(id)", openai)
    page.click("#neighbourhood")
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == 6
    page.click("#reset")
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == 13
    assert sample_page.errors == []


def test_type_and_relation_filters(sample_page: Loaded) -> None:
    page = sample_page.page
    page.uncheck("#type-filters input[data-key=Organization]")
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == 7
    page.click("#relations-none")
    assert page.evaluate("() => kg.network.body.edgeIndices.length") == 0
    page.check("#relation-filters input[data-key=trainedOn]")
    assert page.evaluate("() => kg.network.body.edgeIndices.length") == 1
    page.click("#reset")
    assert page.evaluate("() => [kg.network.body.nodeIndices.length, kg.network.body.edgeIndices.length]") == [13, 11]


def test_hostile_article_runs_nothing(browser, tmp_path) -> None:
    path = tmp_path / "graph.html"
    view.write_page(hostile_graph(), path)
    loaded = Loaded(browser, path)
    page = loaded.page
    title = page.title()
    assert title == view.DEFAULT_TITLE
    bad = node_id(loaded, HOSTILE_LABEL)
    page.evaluate("(id) => kg.selectNode(id)", bad)
    assert HOSTILE_LABEL in loaded.details()
    page.evaluate("() => { kg.network.selectEdges([0]); kg.showEdge(0); }")
    details = loaded.details()
    assert HOSTILE_EVIDENCE.replace("\u2028", "").split(" left")[0] in details
    assert HOSTILE_TITLE in details
    page.fill("#search", "img src")
    assert HOSTILE_LABEL in page.inner_text("#matches")
    page.wait_for_timeout(500)
    assert loaded.dialogs == []
    assert page.title() == title != "pwned"
    assert (
        page.evaluate("() => document.querySelectorAll('img, svg, iframe, object, embed, [onerror], [onload]').length")
        == 0
    )
    assert page.evaluate("() => document.querySelectorAll('b').length") == 0
    assert page.evaluate("() => document.scripts.length") == 3
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://")) for h in hrefs)
    assert loaded.requests == [loaded.url]
    assert loaded.errors == []
    loaded.close()


def test_hostile_page_title_is_text(browser, tmp_path) -> None:
    path = tmp_path / "graph.html"
    view.write_page(sample_graph(), path, title="<script>alert(1)</script> & co")
    loaded = Loaded(browser, path)
    assert loaded.page.title() == "<script>alert(1)</script> & co"
    assert loaded.page.inner_text("h1") == "<script>alert(1)</script> & co"
    assert loaded.dialogs == [] and loaded.errors == []
    loaded.close()


def test_max_nodes_notice(browser, tmp_path) -> None:
    path = tmp_path / "graph.html"
    view.write_page(sample_graph(), path, max_nodes=5)
    loaded = Loaded(browser, path)
    notice = loaded.page.inner_text("#notice")
    assert "Showing the 5 most important of 13 entities" in notice
    assert "8 entities" in notice
    assert loaded.page.evaluate("() => kg.network.body.nodeIndices.length") == 5
    loaded.close()


def big_graph(entities: int = 5000, facts: int = 20000, seed: int = 3):
    """A synthetic graph with hubs: entity i is picked with weight 1/(i+1)^0.6."""
    rng = random.Random(seed)
    b = GraphBuilder()
    iris = [
        b.entity(f"Entity {i}", ENTITY_TYPES[i % len(ENTITY_TYPES)], aliases=(f"Entidade {i}",))
        for i in range(entities)
    ]
    articles = [b.article(f"article-{i}", f"Article {i}", url=f"https://example.com/{i}") for i in range(200)]
    weights = [1.0 / (i + 1) ** 0.6 for i in range(entities)]
    seen: set[tuple[int, str, int]] = set()
    while len(seen) < facts:
        s, o = rng.choices(range(entities), weights=weights, k=2)
        relation = RELATIONS[rng.randrange(len(RELATIONS))]
        key = (min(s, o), relation, max(s, o)) if relation in ("competesWith", "partnersWith") else (s, relation, o)
        if s == o or key in seen:
            continue
        seen.add(key)
        b.fact(
            iris[s],
            relation,
            iris[o],
            articles[len(seen) % 200],
            f"Entity {s} and Entity {o}: a sentence of ordinary length, as found in a news article.",
        )
    return b.graph


def test_five_thousand_entities_twenty_thousand_facts(browser, tmp_path) -> None:
    graph = big_graph()
    path = tmp_path / "graph.html"
    start = time.perf_counter()
    stats = view.write_page(graph, path, max_nodes=None)
    write_seconds = time.perf_counter() - start
    assert stats["nodes"] == 5000 and stats["edges"] == 20000
    loaded = Loaded(browser, path, timeout=120)
    page = loaded.page
    start = time.perf_counter()
    page.evaluate("() => kg.selectNode(kg.data.nodes.find(n => n.label === 'Entity 42').id)")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
    select_seconds = time.perf_counter() - start
    print(
        f"\n5,000 entities / 20,000 facts: page {stats['bytes'] / 1e6:.1f} MB "
        f"written in {write_seconds:.1f} s; interactive {loaded.ready_seconds:.1f} s after navigation; "
        f"selecting a node took {select_seconds:.2f} s"
    )
    assert "Entity 42" in loaded.details()
    assert page.evaluate("() => kg.network.body.nodeIndices.length") == 5000
    assert loaded.errors == [] and loaded.requests == [loaded.url]
    assert write_seconds < 60
    assert loaded.ready_seconds < 60
    assert select_seconds < 10
    loaded.close()


def test_the_examples_page_is_offline_and_draws_every_entity(browser, tmp_path) -> None:
    """The page `kg build examples/articles/` writes: no request outside the file, no console error,
    one drawn node per entity of the graph; search and the evidence of an investment work on it."""
    import kg
    from kg.measures import summary
    from kg.store import load_graph

    out = tmp_path / "out"
    kg.build([Path(__file__).resolve().parent.parent / "examples" / "articles"], out=out)
    entities = summary(load_graph(out))["entities"]
    loaded = Loaded(browser, out / "graph.html")
    try:
        page = loaded.page
        page.wait_for_timeout(300)
        assert loaded.requests == [loaded.url]
        assert loaded.errors == []
        assert page.evaluate("() => kg.nodes.length") == entities
        assert page.evaluate("() => kg.network.body.nodeIndices.length") == entities
        page.fill("#search", "banco da china")
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        assert "Bank of China" in loaded.details()
    finally:
        loaded.close()
