"""Bounded time on any input: every pathological shape (no punctuation, one huge list of names, thousands
of amounts in one line, deeply nested HTML, a table dump) takes well under 16x the time at 4x the size
(ratios only, never absolute times); long runs with no sentence end are cut into windows; the pairs of
a sentence are capped; and the per-article time budget skips an article that runs past it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.analyse import MAX_SENTENCE_TOKENS, analyse
from kg.cli import cli
from kg.extract.patterns import MAX_PAIRS_PER_SENTENCE
from kg.pipeline import DEFAULT_ARTICLE_TIMEOUT, process_article
from kg.records import Article

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from pathological import SHAPES, seconds  # noqa: E402

BASE_WORDS = 2000
RATIO_LIMIT = 8.0  # 4x the input; quadratic growth would be 16x


CASES = [(name, "en") for name in SHAPES] + [("no punctuation", "pt"), ("one list of names", "pt")]


@pytest.mark.parametrize(("shape", "lang"), CASES, ids=[f"{s}-{lang}" for s, lang in CASES])
def test_four_times_the_input_takes_well_under_sixteen_times_the_time(shape: str, lang: str) -> None:
    make, kind = SHAPES[shape]
    seconds("OpenAI e NVIDIA.", "txt", lang)  # load the pipeline first
    small = seconds(make(BASE_WORDS), kind, lang)
    large = seconds(make(4 * BASE_WORDS), kind, lang)
    assert large / small < RATIO_LIMIT, f"{shape}: {small:.3f}s → {large:.3f}s (×{large / small:.1f})"


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_a_run_with_no_sentence_end_is_cut_into_windows(lang: str) -> None:
    make, _ = SHAPES["no punctuation"]
    doc = analyse(make(2000), lang)
    lengths = [len(sentence) for sentence in doc.sents]
    assert len(lengths) > 2000 // MAX_SENTENCE_TOKENS
    assert max(lengths) <= MAX_SENTENCE_TOKENS
    normal = analyse("NVIDIA invested in OpenAI. OpenAI competes with Anthropic.", lang)
    assert len(list(normal.sents)) == 2  # ordinary sentences are not cut


def test_the_pairs_of_one_sentence_are_capped() -> None:
    names = ", ".join(f"Startup{i} Inc." for i in range(200))
    text = f"OpenAI, NVIDIA, SoftBank, Oracle, Microsoft and {names} invested in Anthropic, Mistral AI and xAI."
    result = process_article(Article(id="a", path="a", title="", text=text, lang="en"))
    by_sentence: dict[int, int] = {}
    for fact in result.facts:
        by_sentence[fact.start] = by_sentence.get(fact.start, 0) + 1
    assert result.facts and max(by_sentence.values()) <= MAX_PAIRS_PER_SENTENCE


def test_an_article_past_its_time_budget_is_skipped_and_the_build_goes_on(tmp_path: Path) -> None:
    corpus = tmp_path / "articles"
    corpus.mkdir()
    make, _ = SHAPES["no punctuation"]
    (corpus / "huge.txt").write_text(make(60_000), encoding="utf-8")
    (corpus / "news.pt.txt").write_text(
        "A Nvidia investiu US$ 2 bilhões na Mistral AI, segundo a empresa, que não quis comentar o valor.\n",
        encoding="utf-8",
    )
    report = kg.build([corpus], out=tmp_path / "out", model=None, article_timeout=0.05)
    assert report.articles == 1
    (skipped,) = report.skipped
    assert skipped.path.endswith("huge.txt")
    assert skipped.reason == "analysis took longer than the article time-out (0.05 s)"
    facts = kg.query("SELECT ?s ?o WHERE { ?s kg:investsIn ?o }", tmp_path / "out").rows
    assert facts == [("kge:nvidia", "kge:mistral-ai")]


def test_the_time_budget_on_the_command_line(tmp_path: Path) -> None:
    make, _ = SHAPES["no punctuation"]
    (tmp_path / "huge.txt").write_text(make(60_000), encoding="utf-8")
    (tmp_path / "news.txt").write_text("NVIDIA invested $2 billion in Mistral AI.\n", encoding="utf-8")
    args = ["build", str(tmp_path / "huge.txt"), str(tmp_path / "news.txt"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, [*args, "--article-timeout", "0.05", "--jobs", "2"], catch_exceptions=False)
    assert result.exit_code == 0
    assert f"skipped {tmp_path / 'huge.txt'}: analysis took longer than the article time-out (0.05 s)" in result.stderr
    assert "read 1 article(s)" in result.stdout


def test_the_documented_article_timeout() -> None:
    option = next(p for p in cli.commands["build"].params if p.name == "article_timeout")
    assert option.default == DEFAULT_ARTICLE_TIMEOUT == 60.0
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "--article-timeout`, default 60 s" in readme
