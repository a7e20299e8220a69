"""Incremental builds: a rebuild changes only what the changed articles state, and ends with the
very bytes a build from scratch of the same articles writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import kg
from kg import graph as kg_graph
from kg import pipeline, store
from kg.pipeline import BUILD_RECORD

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "articles"


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(EXAMPLES, folder)
    return folder


def outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.html")}


def from_scratch(articles: Path, out: Path) -> dict[str, bytes]:
    report = kg.build([articles], out, cache=False)
    assert not any("updated in place" in note for note in report.notes)
    return outputs(out)


def updated(report: kg.pipeline.BuildReport) -> bool:
    return any("graph updated in place" in note for note in report.notes)


EN_ARTICLE = """Cohere opens a lab in Montreal

Cohere, the Canadian AI company, said on Monday that it will open a research lab in Montreal.
Nvidia invested $50 million in Cohere last year, and the company competes with OpenAI and Anthropic.
"""

PT_ARTICLE = """Maritaca AI capta recursos

A startup brasileira Maritaca AI recebeu aporte de R$ 50 milhões da Nvidia.
A Maritaca AI concorre com a OpenAI no mercado de modelos em português.
"""


@pytest.mark.parametrize(
    "edit",
    ["change an English article", "add a Portuguese article", "delete an article", "all three at once"],
)
def test_an_updated_graph_is_the_graph_built_from_scratch(articles: Path, tmp_path: Path, edit: str) -> None:
    out = tmp_path / "out"
    kg.build([articles], out)
    if edit in ("change an English article", "all three at once"):
        path = articles / "nvidia-shares-deepseek.en.txt"
        path.write_text(path.read_text(encoding="utf-8") + "\n\nGoogle competes with Anthropic.\n", encoding="utf-8")
    if edit in ("add a Portuguese article", "all three at once"):
        (articles / "maritaca.pt.txt").write_text(PT_ARTICLE, encoding="utf-8")
    if edit in ("delete an article", "all three at once"):
        (articles / "xai-grok-colossus.en.md").unlink()

    report = kg.build([articles], out)
    assert updated(report), report.notes
    assert outputs(out) == from_scratch(articles, tmp_path / "scratch")
    record = json.loads((out / BUILD_RECORD).read_text(encoding="utf-8"))
    assert record["triples"] == report.triples == len(store.open_store(out))


def test_a_rebuild_analyses_only_the_changed_article(articles: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    kg.build([articles], out)
    analysed: list[str] = []
    real = pipeline.process_article
    monkeypatch.setattr(pipeline, "process_article", lambda a, *rest: analysed.append(a.id) or real(a, *rest))
    (articles / "cohere.en.txt").write_text(EN_ARTICLE, encoding="utf-8")
    report = kg.build([articles], out)
    assert analysed == ["cohere.en.txt"]
    assert updated(report)
    assert kg.query("ASK { kge:nvidia kg:investsIn kge:cohere . kge:cohere kg:locatedIn kge:canada }", out).boolean
    assert outputs(out) == from_scratch(articles, tmp_path / "scratch")


def test_a_fact_stated_elsewhere_survives_the_removal_of_one_article(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (articles / "cohere.en.txt").write_text(EN_ARTICLE, encoding="utf-8")
    (articles / "cohere-again.en.txt").write_text(EN_ARTICLE.replace("Monday", "Tuesday"), encoding="utf-8")
    kg.build([articles], out)
    ask = "ASK { kge:nvidia kg:investsIn kge:cohere }"
    assert kg.query(ask, out).boolean
    (articles / "cohere.en.txt").unlink()
    assert updated(kg.build([articles], out))
    assert kg.query(ask, out).boolean  # the other article still states it
    (articles / "cohere-again.en.txt").unlink()
    assert updated(kg.build([articles], out))
    assert not kg.query(ask, out).boolean
    assert not kg.query("ASK { kge:cohere ?p ?o }", out).boolean  # no sentence mentions it: no entity
    assert outputs(out) == from_scratch(articles, tmp_path / "scratch")


def _result(article_id: str, *mentions: tuple[str, str, str]):
    from kg.records import Article, ArticleResult, Mention

    article = Article(article_id, article_id, "", "text", "en")
    return ArticleResult(article, tuple(Mention(0, 4, text, label, key) for text, label, key in mentions))


def test_changes_that_would_rename_an_entity_ask_for_the_whole_graph() -> None:
    acme_org = ("Acme", "Organization", "new:Organization:acme")
    acme_model = ("Acme", "AIModel", "new:AIModel:acme")

    def before() -> kg_graph.CorpusIndex:
        index = kg_graph.CorpusIndex()
        index.add(_result("a", acme_org))
        return index

    # a model of the same name sorts first and would take the organisation's plain IRI
    assert kg_graph.changes([], [_result("b", acme_model)], before(), {}, {}) is None
    beta = _result("b", ("Beta", "Organization", "new:Organization:beta"))
    delta = kg_graph.changes([], [beta], before(), {}, {})
    assert delta is not None
    assert delta.subjects == [] and delta.triples == []
    assert set(delta.index.mentions) == {"new:Organization:acme", "new:Organization:beta"}
    assert list(delta.articles) == ["b"]
    assert {str(q.subject) for q in delta.added} >= {"<https://w3id.org/kg/entity/beta>"}


def test_a_sector_that_becomes_an_investment_target_asks_for_the_whole_graph() -> None:
    from kg.records import Fact

    sector = ("IA", "Sector", "artificial-intelligence")
    before = kg_graph.CorpusIndex()
    before.add(_result("a", sector))
    invests = _result("b", ("Nvidia", "Organization", "nvidia"), sector)
    fact = Fact("nvidia", "investsIn", "artificial-intelligence", "b", "text", 0, 4, 0.8)
    invests = type(invests)(invests.article, invests.mentions, (fact,))
    assert kg_graph.changes([], [invests], before, {}, {}) is None


def test_a_changed_ontology_rebuilds_the_whole_graph(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    kg.build([articles], out)
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix kg: <https://w3id.org/kg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/kg/entity/velora> a kg:Organization ; rdfs:label "Velora" .\n',
        encoding="utf-8",
    )
    report = kg.build([articles], out, ontology=[extra])
    assert not updated(report)
    assert kg.query("ASK { ?a kg:mentions ?e }", out).boolean


def test_a_failed_update_leaves_the_previous_outputs(articles: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    kg.build([articles], out)
    before = outputs(out)
    (articles / "cohere.en.txt").write_text(EN_ARTICLE, encoding="utf-8")

    def failing(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "remove_from", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        kg.build([articles], out)
    assert outputs(out) == before
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".") and "tmp" in p.name) == []
    monkeypatch.undo()
    assert updated(kg.build([articles], out))
    assert outputs(out) == from_scratch(articles, tmp_path / "scratch")


def test_an_out_of_date_record_is_not_trusted(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    kg.build([articles], out)
    record = json.loads((out / BUILD_RECORD).read_text(encoding="utf-8"))
    record["sha256"] = "0" * 64  # as if the build that wrote the store died before its record
    (out / BUILD_RECORD).write_text(json.dumps(record), encoding="utf-8")
    (articles / "cohere.en.txt").write_text(EN_ARTICLE, encoding="utf-8")
    report = kg.build([articles], out)
    assert not updated(report)
    assert outputs(out) == from_scratch(articles, tmp_path / "scratch")


@pytest.fixture()
def opened(monkeypatch) -> list[str]:
    """The names of the files read from now on, in order."""
    from kg import read

    names: list[str] = []
    real = read.read_file
    monkeypatch.setattr(read, "read_file", lambda path, **kw: names.append(Path(path).name) or real(path, **kw))
    return names


def test_unchanged_files_are_not_read_again(articles: Path, tmp_path: Path, request) -> None:
    out = tmp_path / "out"
    kg.build([articles], out)
    opened = request.getfixturevalue("opened")
    report = kg.build([articles], out)
    assert opened == [] and report.articles == 15  # the JSON Lines file holds two articles
    path = articles / "huawei-ascend-nvidia.pt.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Nvidia", "NVIDIA", 1), encoding="utf-8")
    report = kg.build([articles], out)
    assert opened == ["huawei-ascend-nvidia.pt.txt"]
    assert report.articles == 15 and sorted(report.languages) == ["en", "pt"]
    assert outputs(out) == from_scratch(articles, tmp_path / "scratch")


def test_a_file_with_a_bad_line_is_read_every_time(articles: Path, tmp_path: Path, request) -> None:
    (articles / "news.jsonl").write_text('{"text": "Nvidia competes with AMD.", "lang": "en"}\n{broken\n')
    out = tmp_path / "out"
    kg.build([articles], out)
    opened = request.getfixturevalue("opened")
    report = kg.build([articles], out)
    assert opened == ["news.jsonl"]
    assert [s.path for s in report.skipped] == [f"{articles / 'news.jsonl'}:2"]


def test_a_lost_cache_entry_is_recomputed_when_the_whole_graph_is_written(articles: Path, tmp_path: Path) -> None:
    from kg.cache import CACHE_DIR

    out = tmp_path / "out"
    kg.build([articles], out)
    next((out / CACHE_DIR).rglob("*.json")).unlink()
    record = json.loads((out / BUILD_RECORD).read_text(encoding="utf-8"))
    record["index"] = None  # no way to change the graph in place: it is written whole, from every result
    (out / BUILD_RECORD).write_text(json.dumps(record), encoding="utf-8")
    (articles / "cohere.en.txt").write_text(EN_ARTICLE, encoding="utf-8")
    report = kg.build([articles], out)
    assert report.articles == 16 and not report.skipped
    assert outputs(out) == from_scratch(articles, tmp_path / "scratch")


def test_results_past_the_memory_limit_are_read_back_from_the_cache(
    articles: Path, tmp_path: Path, monkeypatch
) -> None:
    from kg.cache import ArticleCache

    read_back: list[str] = []
    real = ArticleCache.get
    monkeypatch.setattr(ArticleCache, "get", lambda self, key: read_back.append(key) or real(self, key))
    monkeypatch.setattr(pipeline, "RESULTS_IN_MEMORY", 3)
    out = tmp_path / "out"
    report = kg.build([articles], out)
    assert report.articles == 15
    assert len(read_back) >= 2 * (15 - 3)  # looked up, then read back twice: once to count, once to write
    assert outputs(out) == from_scratch(articles, tmp_path / "scratch")


def test_an_update_with_worker_processes_is_the_same(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    kg.build([articles], out, jobs=2)
    (articles / "cohere.en.txt").write_text(EN_ARTICLE, encoding="utf-8")
    (articles / "maritaca.pt.txt").write_text(PT_ARTICLE, encoding="utf-8")
    report = kg.build([articles], out, jobs=2)
    assert updated(report) and report.articles == 17
    assert outputs(out) == from_scratch(articles, tmp_path / "scratch")


def test_the_page_from_the_build_index_is_the_page_from_the_store(articles: Path, tmp_path: Path) -> None:
    from kg import view

    out = tmp_path / "out"
    kg.build([articles], out)
    page = (out / "graph.html").read_bytes()  # written with the statements of the build's index
    view.write_page(store.open_store(out), tmp_path / "scanned.html")  # the store's assertions read one by one
    assert (tmp_path / "scanned.html").read_bytes() == page
