"""The learned extractor: candidates and features in both languages, training, folds, saving and loading."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import kg
from kg import extract, link
from kg.analyse import analyse
from kg.cli import cli
from kg.errors import ExtractorError, TrainError
from kg.extract import candidates as cand
from kg.extract.decide import analysed
from kg.extract.model import TrainConfig, load
from kg.ontology import load as load_ontology
from kg.train import folds, prepare, train

ROOT = Path(__file__).resolve().parent.parent
ACCURACY = ROOT / "benchmarks" / "accuracy"
EXAMPLES = ROOT / "examples"
KB = load_ontology()

sklearn = pytest.importorskip("sklearn", reason="training needs the 'train' extra (scikit-learn)")


def rows_of(text: str, lang: str):
    doc = analyse(text, lang)
    return analysed(doc, link.mentions(doc, KB), KB, lang, "t").rows


def pairs(text: str, lang: str) -> set[tuple[str, str, str, str]]:
    """(subject, object, how the subject is reached, how the object is) for every candidate."""
    return {
        (r.candidate.subject.key, r.candidate.object.key, r.candidate.subject.via, r.candidate.object.via)
        for r in rows_of(text, lang)
    }


def features(text: str, lang: str, s: str, o: str) -> set[str]:
    for r in rows_of(text, lang):
        if (r.candidate.subject.key, r.candidate.object.key) == (s, o):
            return set(r.features)
    raise AssertionError(f"no candidate {s} → {o}")


# ---- candidates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # named pairs in one sentence, both directions for a directed relation
        (
            "en",
            "Nvidia will invest $100 billion in OpenAI.",
            {("nvidia", "openai", "name", "name"), ("openai", "nvidia", "name", "name")},
        ),
        ("pt", "A Nvidia vai investir US$ 100 bilhões na OpenAI.", {("nvidia", "openai", "name", "name")}),
        # a referring phrase stands for the organisation the previous sentence opened with
        (
            "en",
            "OpenAI released a new model. The company also signed a deal with Microsoft.",
            {("openai", "microsoft", "anaphor", "name")},
        ),
        (
            "pt",
            "A OpenAI lançou um novo modelo. A empresa também fechou um acordo com a Microsoft.",
            {("openai", "microsoft", "anaphor", "name")},
        ),
        # a sentence that does not name the article's subject still reaches it
        (
            "en",
            "Mistral AI raised €600 million. Other investors include Lightspeed Venture Partners.",
            {("lightspeed-venture-partners", "mistral-ai", "name", "topic")},
        ),
        (
            "pt",
            "A Mistral AI captou 600 milhões de euros. Entre os investidores estão a Lightspeed Venture Partners.",
            {("lightspeed-venture-partners", "mistral-ai", "name", "topic")},
        ),
    ],
)
def test_candidates(lang: str, text: str, expected: set) -> None:
    assert expected <= pairs(text, lang)


@pytest.mark.parametrize(
    ("lang", "text", "absent"),
    [
        # types that fit no relation give no candidate (a chip does not invest in a country)
        ("en", "The H100 is sold in China.", ("h100", "china")),
        ("pt", "O H100 é vendido na China.", ("h100", "china")),
    ],
)
def test_no_candidate(lang: str, text: str, absent: tuple[str, str]) -> None:
    assert absent not in {(s, o) for s, o, *_ in pairs(text, lang)}


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "Microsoft and OpenAI are partners."), ("pt", "A Microsoft e a OpenAI são parceiras.")]
)
def test_a_symmetric_relation_is_decided_once_per_pair(lang: str, text: str) -> None:
    relations = {(r.candidate.subject.key, r.candidate.object.key): r.candidate.relations for r in rows_of(text, lang)}
    assert "partnersWith" in relations[("microsoft", "openai")]
    assert "partnersWith" not in relations[("openai", "microsoft")]
    assert "investsIn" in relations[("openai", "microsoft")]


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_a_huge_list_gives_bounded_pairs(lang: str) -> None:
    names = [e.label for e in KB.entities.values() if e.type == "Organization"][:300]
    joiner = " and " if lang == "en" else " e "
    text = ", ".join(names[:-1]) + joiner + names[-1] + " compete."
    by_sentence: dict[int, int] = {}
    for r in rows_of(text, lang):
        by_sentence[r.candidate.sentence] = by_sentence.get(r.candidate.sentence, 0) + 1
    assert by_sentence and max(by_sentence.values()) <= cand.MAX_PAIRS


# ---- features -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "s", "o", "wanted"),
    [
        (
            "en",
            "Nvidia will invest $100 billion in OpenAI.",
            "nvidia",
            "openai",
            {"tr:investsIn:act:mid", "b:invest", "dir:f", "ty:Organization>Organization", "rule:investsIn"},
        ),
        (
            "pt",
            "A Nvidia vai investir US$ 100 bilhões na OpenAI.",
            "nvidia",
            "openai",
            {"tr:investsIn:act:mid", "b:investir", "dir:f", "rule:investsIn", "lang:pt"},
        ),
        (
            "en",
            "OpenAI was backed by Microsoft.",
            "microsoft",
            "openai",
            {"tr:investsIn:inv:mid:b", "dir:b", "rule:investsIn"},
        ),
        ("pt", "A OpenAI recebeu aporte da Microsoft.", "microsoft", "openai", {"dir:b", "rule:investsIn"}),
        ("pt", "O R1 supera o o1 da OpenAI.", "o1", "openai", {"poss:da:f", "gap:1", "rule:developedBy"}),
        ("en", "OpenAI's o1 beat DeepSeek's R1.", "o1", "openai", {"dir:b", "gap:1"}),
        ("en", "Microsoft did not invest in OpenAI.", "microsoft", "openai", {"neg", "rule:none"}),
        ("pt", "A Microsoft não investiu na OpenAI.", "microsoft", "openai", {"neg", "rule:none"}),
        ("en", "Microsoft is in talks to invest in OpenAI.", "microsoft", "openai", {"hedge"}),
        # other names between the two ends are masked as their type: the members of a list read as one
        (
            "en",
            "Investors included Sequoia, Microsoft and Nvidia.",
            "sequoia-capital",
            "nvidia",
            {"list", "b:@Organization", "shape:,_@Organization_and"},
        ),
        (
            "pt",
            "Os investidores foram a Sequoia, a Microsoft e a Nvidia.",
            "sequoia-capital",
            "nvidia",
            {"b:@Organization", "bb:a_@Organization"},
        ),
        # a long word's stem: the forms of one verb share it
        ("pt", "A Nvidia investirá na OpenAI.", "nvidia", "openai", {"b~:inves", "b:investira"}),
        # the article around the pair: how often each end is named, the topic, the last word of a name
        (
            "en",
            "Mistral raised money. Mistral said Lightspeed Venture Partners invested in Mistral.",
            "lightspeed-venture-partners",
            "mistral-ai",
            {"art:o:n3", "art:o:topic", "art:o:lead", "art:s:n1", "name:s:partners", "art:pair:1"},
        ),
        (
            "pt",
            "A Mistral captou recursos. Segundo a Mistral, a Kaszek Ventures investiu na Mistral.",
            "kaszek",
            "mistral-ai",
            {"art:o:n3", "art:o:topic", "name:s:ventures", "art:pair:1"},
        ),
        # what the knowledge base says joins the two ends
        ("en", "Sam Altman spoke about OpenAI on Monday.", "sam-altman", "openai", {"kb:affiliation"}),
        ("pt", "A OpenAI voltou a ser chefiada por Sam Altman.", "sam-altman", "openai", {"kb:affiliation"}),
        ("en", "Everyone talks about ChatGPT and OpenAI.", "chatgpt", "openai", {"kb:maker"}),
        (
            "pt",
            "O chip H200 chegou às lojas, e a Nvidia, dos Estados Unidos, comemorou.",
            "h200",
            "nvidia",
            {"kb:maker"},
        ),
        ("pt", "A Nvidia, dos Estados Unidos, comemorou.", "nvidia", "united-states", {"kb:basedIn"}),
    ],
)
def test_features(lang: str, text: str, s: str, o: str, wanted: set[str]) -> None:
    got = features(text, lang, s, o)
    assert wanted <= got, sorted(got)


def test_features_are_a_pure_function_of_the_text() -> None:
    text = "A Nvidia vai investir US$ 100 bilhões na OpenAI. A empresa também lançou o chip H200."
    assert [r.features for r in rows_of(text, "pt")] == [r.features for r in rows_of(text, "pt")]


# ---- training -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("model") / "m"
    config = TrainConfig(folds=3, seed=7)
    model, cv = train(
        [ACCURACY / "gold", EXAMPLES / "gold"],
        [str(ACCURACY / "articles"), str(EXAMPLES / "articles")],
        out=out,
        config=config,
    )
    return out, cv


def test_folds_never_share_an_article() -> None:
    ids = [f"a{i:02d}" for i in range(23)]
    groups = folds(ids, 5, 13)
    assert len(groups) == 5
    assert sorted(sum(groups, [])) == sorted(ids)
    for i, a in enumerate(groups):
        for b in groups[i + 1 :]:
            assert not set(a) & set(b)
    assert folds(ids, 5, 13) == groups and folds(ids, 5, 14) != groups


def test_cross_validation_scores_every_article_once(small_model) -> None:
    _, cv = small_model
    held = sum(cv.folds, [])
    assert len(held) == len(set(held)) == 19  # 16 accuracy articles and 3 examples
    assert set(cv.by_language) == {"en", "pt"}
    assert cv.scores.prf(["developedBy"])[2] > 0.3  # learns something that carries over to other articles


def test_training_is_deterministic_and_a_reloaded_model_predicts_the_same_bytes(small_model, tmp_path) -> None:
    out, _ = small_model
    again = tmp_path / "again"
    train(
        [ACCURACY / "gold", EXAMPLES / "gold"],
        [str(ACCURACY / "articles"), str(EXAMPLES / "articles")],
        out=again,
        config=TrainConfig(folds=3, seed=7),
    )
    for name in ("config.json", "vocab.txt", "weights.npy"):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    rows = [r.features for r in rows_of("A Nvidia vai investir US$ 100 bilhões na OpenAI.", "pt")]
    assert load(out).probabilities(rows).tobytes() == load(again).probabilities(rows).tobytes()


def test_a_trained_model_builds_a_graph(small_model, tmp_path) -> None:
    out, _ = small_model
    a = kg.build([EXAMPLES / "articles"], out=tmp_path / "a", extractor=str(out))
    kg.build([EXAMPLES / "articles"], out=tmp_path / "b", extractor=str(out))
    assert a.facts > 20
    assert (tmp_path / "a" / "graph.ttl").read_bytes() == (tmp_path / "b" / "graph.ttl").read_bytes()


def test_the_default_model_is_used_without_extractor(small_model, tmp_path, monkeypatch) -> None:
    out, _ = small_model
    silent = tmp_path / "silent"
    shutil.copytree(out, silent)
    config = json.loads((silent / "config.json").read_text())
    config["thresholds"] = {r: 2.0 for r in config["thresholds"]}  # decides that nothing holds
    (silent / "config.json").write_text(json.dumps(config))
    monkeypatch.setattr(extract, "DEFAULT_EXTRACTOR", silent)
    report = kg.build([EXAMPLES / "articles"], out=tmp_path / "out")
    assert report.articles > 10 and report.facts == 0
    alone = kg.build([EXAMPLES / "articles"], out=tmp_path / "patterns", extractor="none")
    assert alone.facts > 50


def test_the_shipped_model_loads_and_is_small() -> None:
    model = load(extract.DEFAULT_EXTRACTOR)
    assert set(model.relations) >= {"investsIn", "competesWith", "trainedOn", "developedBy"}
    assert all(0.0 < t < 1.0 for t in model.thresholds.values())
    size = sum(f.stat().st_size for f in extract.DEFAULT_EXTRACTOR.iterdir())
    assert size < 30 * 2**20


@pytest.mark.parametrize(
    ("lang", "text", "triple"),
    [  # the README's examples of what the model adds
        (
            "en",
            "Cohere will team up with Fujitsu to build Japanese language models.",
            ("cohere", "partnersWith", "fujitsu"),
        ),
        (
            "pt",
            "O aplicativo TikTok, controlado pela ByteDance, testa um novo assistente.",
            ("tiktok", "developedBy", "bytedance"),
        ),
        (
            "pt",
            "O executivo Clem Delangue apresentou os planos da Hugging Face para 2026.",
            ("clem-delangue", "leads", "hugging-face"),
        ),
    ],
)
def test_the_shipped_model_finds_what_the_patterns_alone_miss(lang: str, text: str, triple) -> None:
    doc = analyse(text, lang, typer=extract.typer_of(extract.DEFAULT_EXTRACTOR))
    mentions = link.mentions(doc, KB)
    model = load(extract.DEFAULT_EXTRACTOR)
    learned = {(f.subject, f.predicate, f.object) for f in extract.facts(doc, mentions, KB, lang, "t", model=model)}
    alone = {(f.subject, f.predicate, f.object) for f in extract.facts(doc, mentions, KB, lang, "t")}
    assert triple in learned, sorted(learned)
    assert triple not in alone


@pytest.mark.parametrize("damage", ["missing", "empty", "garbage-weights", "wrong-format", "wrong-shape"])
def test_a_corrupt_or_missing_model_is_a_clear_error(small_model, tmp_path, damage: str) -> None:
    out, _ = small_model
    broken = tmp_path / "broken"
    if damage != "missing":
        shutil.copytree(out, broken)
    if damage == "empty":
        shutil.rmtree(broken)
        broken.mkdir()
    elif damage == "garbage-weights":
        (broken / "weights.npy").write_bytes(b"not numpy")
    elif damage == "wrong-format":
        config = json.loads((broken / "config.json").read_text())
        (broken / "config.json").write_text(json.dumps({**config, "format": "something-else"}))
    elif damage == "wrong-shape":
        np.save(broken / "weights.npy", np.zeros((3, 2), dtype=np.float32))
    with pytest.raises(ExtractorError):
        extract.resolve_extractor(str(broken))
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "a.txt").write_text("A Nvidia vai investir na OpenAI.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(articles), "--out", str(tmp_path / "o"), "--extractor", str(broken)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "o" / "graph.ttl").exists()


def test_kg_train_on_the_command_line(tmp_path) -> None:
    out = tmp_path / "m"
    result = CliRunner().invoke(
        cli,
        ["train", "--gold", str(ACCURACY / "gold"), str(ACCURACY / "articles"), "--out", str(out), "--folds", "3"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "fold 1:" in result.output and "investsIn" in result.output and "amounts right" in result.output
    assert load(out).relations


def test_kg_train_without_articles_is_a_clear_error(tmp_path) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "x.json").write_text(json.dumps({"id": "x", "entities": [], "relations": []}))
    with pytest.raises(TrainError):
        prepare(gold)
    result = CliRunner().invoke(cli, ["train", "--gold", str(gold), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1 and result.output.startswith("Error: no article for gold file x.json")


def test_the_knowledge_base_links_only_the_pairs_it_knows() -> None:
    got = features("Everyone talks about ChatGPT and Nvidia.", "en", "chatgpt", "nvidia")
    assert not {f for f in got if f.startswith("kb:")}, sorted(got)


@pytest.mark.parametrize(
    ("lang", "text", "far_pair", "near_pair"),
    [
        (
            "en",
            "Mistral builds models. Mistral hired staff. Paris was sunny. Sequoia invested heavily.",
            ("mistral-ai", "paris"),
            ("sequoia-capital", "mistral-ai"),
        ),
        (
            "pt",
            "A Mistral cria modelos. A Mistral contratou. Paris estava ensolarada. A Sequoia investiu.",
            ("mistral-ai", "paris"),
            ("sequoia-capital", "mistral-ai"),
        ),
    ],
)
def test_the_topic_pairs_only_where_the_sentence_has_a_relation_word(lang, text, far_pair, near_pair) -> None:
    topic_pairs = {(s, o) for s, o, sv, ov in pairs(text, lang) if "topic" in (sv, ov)}
    assert near_pair in topic_pairs
    assert far_pair not in topic_pairs and far_pair[::-1] not in topic_pairs
