"""`--jobs N`: worker processes give the very same outputs, in the same order, as one process."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg import pipeline
from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("kg_bench_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folder = module.generate(tmp_path_factory.mktemp("jobs") / "articles", 60)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")  # a skipped input among them
    return folder


def _build(corpus: Path, out: Path, *extra: str) -> None:
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out), "-q", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_jobs_2_is_byte_identical_to_jobs_1(corpus, tmp_path):
    _build(corpus, tmp_path / "one", "--jobs", "1", "--no-cache")
    _build(corpus, tmp_path / "two", "--jobs", "2", "--no-cache")
    one = (tmp_path / "one" / "graph.ttl").read_bytes()
    assert one == (tmp_path / "two" / "graph.ttl").read_bytes()
    assert one.count(b"a kg:Article") == 60


def test_jobs_report_articles_in_input_order(corpus, tmp_path):
    seen: dict[int, list[str]] = {}
    reports = {}
    for jobs in (1, 2):
        order: list[str] = []

        def note(item, order=order):
            order.append(getattr(item, "id", item.path))

        reports[jobs] = kg.build([corpus], tmp_path / f"out{jobs}", jobs=jobs, cache=False, on_article=note)
        seen[jobs] = order
    assert seen[1] == seen[2] and len(seen[1]) == 61
    assert reports[1].articles == reports[2].articles == 60
    assert [s.path for s in reports[1].skipped] == [s.path for s in reports[2].skipped]


def test_a_cache_written_by_workers_serves_one_process(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    kg.build([corpus], out, jobs=2)
    graph = (out / "graph.ttl").read_bytes()
    calls = []
    real = pipeline.process_article
    monkeypatch.setattr(pipeline, "process_article", lambda a, *rest: calls.append(a.id) or real(a, *rest))
    kg.build([corpus], out, jobs=1)
    assert calls == []
    assert (out / "graph.ttl").read_bytes() == graph


def test_jobs_0_means_every_core(corpus, tmp_path):
    assert pipeline._job_count(0) >= 1
    _build(corpus, tmp_path / "all", "--jobs", "0")
    assert (tmp_path / "all" / "graph.ttl").is_file()
