"""The per-article cache: hits skip analysis, and exactly what changed is re-analysed."""

from __future__ import annotations

import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg import pipeline
from kg.cache import CACHE_DIR, decode, encode
from kg.cli import cli
from kg.records import Article, ArticleResult, Entity, Fact, Mention

ROOT = Path(__file__).resolve().parent.parent


def _corpus_module():
    spec = importlib.util.spec_from_file_location("kg_bench_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return _corpus_module().generate(tmp_path / "articles", 6)


@pytest.fixture()
def analysed(monkeypatch) -> list[str]:
    """The ids of the articles `process_article` is called for, in order."""
    calls: list[str] = []
    real = pipeline.process_article

    def counting(article, *args, **kwargs):
        calls.append(article.id)
        return real(article, *args, **kwargs)

    monkeypatch.setattr(pipeline, "process_article", counting)
    return calls


def _entries(out: Path) -> list[Path]:
    return sorted((out / CACHE_DIR).rglob("*.json"))


def _files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file())


def test_second_build_analyses_nothing_and_writes_the_same_graph(corpus, tmp_path, analysed):
    out = tmp_path / "out"
    first = kg.build([corpus], out)
    assert len(analysed) == 6 and first.articles == 6
    graph = (out / "graph.ttl").read_bytes()
    assert len(_entries(out)) == 6
    analysed.clear()
    second = kg.build([corpus], out)
    assert analysed == []
    assert second.articles == 6
    assert (out / "graph.ttl").read_bytes() == graph


def test_a_changed_article_is_reanalysed_and_only_it(corpus, tmp_path, analysed):
    out = tmp_path / "out"
    kg.build([corpus], out)
    changed = _files(corpus)[2]
    changed.write_text(changed.read_text(encoding="utf-8").replace("the", "a", 1), encoding="utf-8")
    analysed.clear()
    kg.build([corpus], out)
    assert len(analysed) == 1 and Path(analysed[0]).name == changed.name
    assert len(_entries(out)) == 6  # the old entry of the changed article is pruned


def test_a_deleted_article_leaves_the_graph_and_the_cache(corpus, tmp_path, analysed):
    out = tmp_path / "out"
    kg.build([corpus], out)
    gone = _files(corpus)[0]
    gone_id = f"{gone.parent.name}/{gone.name}"
    assert gone_id in (out / "graph.ttl").read_text(encoding="utf-8").replace("%2F", "/")
    gone.unlink()
    analysed.clear()
    report = kg.build([corpus], out)
    assert analysed == [] and report.articles == 5
    assert gone_id not in (out / "graph.ttl").read_text(encoding="utf-8").replace("%2F", "/")
    assert len(_entries(out)) == 5


def test_an_added_article_is_the_only_one_analysed(corpus, tmp_path, analysed):
    out = tmp_path / "out"
    kg.build([corpus], out)
    module = _corpus_module()
    module.write_article(corpus, 6, module.World(module._names()))
    analysed.clear()
    report = kg.build([corpus], out)
    assert len(analysed) == 1 and report.articles == 7
    assert len(_entries(out)) == 7


EXTRA_ONTOLOGY = """\
@prefix kg: <https://w3id.org/kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/kg/entity/acme-cache-test> a kg:Organization ; rdfs:label "Acme Cache Test"@en .
"""


def test_an_extra_ontology_file_invalidates_every_entry(corpus, tmp_path, analysed):
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(corpus), "--out", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code == 0 and len(analysed) == 6
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA_ONTOLOGY, encoding="utf-8")
    analysed.clear()
    args = ["build", str(corpus), "--out", str(out), "--ontology", str(extra), "-q"]
    assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    assert len(analysed) == 6
    assert len(_entries(out)) == 6  # the entries of the previous ontology are pruned
    analysed.clear()
    assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    assert analysed == []  # the same extra file again: all hits
    extra.write_text(EXTRA_ONTOLOGY.replace("Acme Cache Test", "Acme Cache Testing"), encoding="utf-8")
    kg.ontology._load.cache_clear()  # a long-lived process reloads an edited file only when told to
    analysed.clear()
    assert runner.invoke(cli, args, catch_exceptions=False).exit_code == 0
    assert len(analysed) == 6


@pytest.mark.parametrize("target", ["pipeline_version", "kg_version"])
def test_a_new_pipeline_or_kg_version_invalidates_every_entry(corpus, tmp_path, analysed, monkeypatch, target):
    out = tmp_path / "out"
    kg.build([corpus], out)
    analysed.clear()
    if target == "pipeline_version":
        monkeypatch.setattr(pipeline, "PIPELINE_VERSION", pipeline.PIPELINE_VERSION + "-next")
    else:
        monkeypatch.setattr(kg, "__version__", kg.__version__ + ".post1")
    kg.build([corpus], out)
    assert len(analysed) == 6
    assert len(_entries(out)) == 6


@pytest.mark.parametrize(
    "garbage", [b"", b"{not json", b'{"key": "other", "result": []}', b'{"key": 1}', b"\xff\xfe\x00"]
)
def test_a_corrupt_entry_is_ignored_and_recomputed(corpus, tmp_path, analysed, garbage):
    out = tmp_path / "out"
    kg.build([corpus], out)
    graph = (out / "graph.ttl").read_bytes()
    entry = _entries(out)[3]
    entry.write_bytes(garbage)
    analysed.clear()
    kg.build([corpus], out)
    assert analysed == []  # its file is unchanged and the graph holds its facts: nothing needs the entry
    (out / pipeline.BUILD_RECORD).unlink()  # now the whole graph is written again from the cache
    kg.build([corpus], out)
    assert len(analysed) == 1
    assert (out / "graph.ttl").read_bytes() == graph
    assert json.loads(entry.read_bytes())["key"] == entry.stem  # rewritten whole


def test_leftover_temporary_files_are_pruned(corpus, tmp_path):
    out = tmp_path / "out"
    kg.build([corpus], out)
    leftover = _entries(out)[0].with_name(".killed.json.tmp-99999")
    leftover.write_bytes(b"{")
    kg.build([corpus], out)
    assert not leftover.exists()


def test_no_cache_analyses_everything(corpus, tmp_path, analysed):
    out = tmp_path / "out"
    kg.build([corpus], out)
    analysed.clear()
    kg.build([corpus], out, cache=False)
    assert len(analysed) == 6


def test_records_survive_encoding():
    result = ArticleResult(
        article=Article("a/b.txt", "/x/a/b.txt", "Título", "", "pt", "https://e.x/1", "2025-01-02", "ab"),
        mentions=(Mention(0, 6, "Nvidia", "Organization", "nvidia", "kb", 0),),
        facts=(
            Fact(
                "nvidia",
                "investsIn",
                "openai",
                "a/b.txt",
                "Nvidia invests",
                0,
                14,
                0.85,
                Decimal("1.5E+9"),
                "USD",
                "2025",
            ),
            Fact("openai", "leads", "x", "a/b.txt", "é", 3, 4, 0.1),
        ),
        new_entities=(Entity("new:Organization:x", "X", "Organization", ("X Corp",), ""),),
    )
    assert decode(json.loads(json.dumps(encode(result)))) == result
