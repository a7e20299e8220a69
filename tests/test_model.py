"""An optional statistical model adds names the knowledge base lacks; the knowledge base wins on conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from kg.analyse import SPAN_KEY, analyse, resolve_model
from kg.errors import ModelError


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small saved spaCy pipeline with an entity ruler, standing in for a trained NER model."""
    for lang in ("en", "pt"):
        nlp = spacy.blank(lang)
        ruler = nlp.add_pipe("entity_ruler")
        ruler.add_patterns(
            [
                {"label": "ORG", "pattern": "Zorblax Dynamics"},
                {"label": "PERSON", "pattern": "Quinn Arbor"},
                {"label": "PER", "pattern": "Iara Monteiro"},
                {"label": "ORG", "pattern": "Nvidia"},  # the knowledge base knows it: it must win
                {"label": "DATE", "pattern": "Tuesday"},
            ]
        )
        folder = tmp_path_factory.mktemp(f"model-{lang}")
        nlp.to_disk(folder)
        if lang == "en":
            english = str(folder)
        else:
            portuguese = str(folder)
    return english, portuguese


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "en",
            "Zorblax Dynamics hired Quinn Arbor on Tuesday, and Nvidia watched.",
            {
                ("Zorblax Dynamics", "Organization", "model"),
                ("Quinn Arbor", "Person", "model"),
                ("Nvidia", "Organization", "kb"),
            },
        ),
        (
            "pt",
            "A Zorblax Dynamics contratou Iara Monteiro, e a Nvidia observou.",
            {
                ("Zorblax Dynamics", "Organization", "model"),
                ("Iara Monteiro", "Person", "model"),
                ("Nvidia", "Organization", "kb"),
            },
        ),
    ],
)
def test_model_names_are_added_and_the_knowledge_base_wins(saved_model, lang: str, text: str, expected: set) -> None:
    model = saved_model[0] if lang == "en" else saved_model[1]
    doc = analyse(text, lang, model=model)
    found = {(s.text, s.label_, s.id_) for s in doc.spans[SPAN_KEY]}
    assert expected <= found
    assert not any(s.text == "Tuesday" for s in doc.spans[SPAN_KEY])
    nvidia = next(s for s in doc.spans[SPAN_KEY] if s.text == "Nvidia")
    assert nvidia.kb_id_ == "nvidia"


def test_without_a_model_the_names_need_a_cue(saved_model) -> None:
    doc = analyse("Zorblax Dynamics hired Quinn Arbor on Tuesday.", "en")
    assert not any(s.text == "Zorblax Dynamics" for s in doc.spans[SPAN_KEY])


def test_resolve_model() -> None:
    assert resolve_model(None, "en") is None
    assert resolve_model("none", "pt") is None
    auto = resolve_model("auto", "en")
    assert auto is None or auto == "en_core_web_sm"
    with pytest.raises(ModelError, match="not installed"):
        resolve_model("xx_no_such_model_sm", "en")


def test_an_installed_model_package_is_used_when_present() -> None:
    pytest.importorskip("en_core_web_sm")
    doc = analyse("Tim Cook met executives of Quantinuum in Denver.", "en", model="en_core_web_sm")
    assert any(s.id_ == "model" for s in doc.spans[SPAN_KEY])


def test_model_path_is_a_folder(saved_model) -> None:
    assert Path(saved_model[0]).is_dir()


def test_build_with_a_model_from_the_command_line(saved_model, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.en.txt").write_text(
        "Zorblax Dynamics will invest $2 billion in OpenAI, the company said.\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    runner = CliRunner()
    without = runner.invoke(
        cli, ["build", str(folder), "--out", str(out), "--model", "none", "-q"], catch_exceptions=False
    )
    assert without.exit_code == 0
    assert "Zorblax" not in (out / "graph.ttl").read_text(encoding="utf-8")
    with_model = runner.invoke(
        cli, ["build", str(folder), "--out", str(out), "--model", saved_model[0], "-q"], catch_exceptions=False
    )
    assert with_model.exit_code == 0
    graph = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "Zorblax Dynamics" in graph and "investsIn" in graph
    missing = runner.invoke(cli, ["build", str(folder), "--out", str(out), "--model", "xx_missing_model"])
    assert missing.exit_code == 1 and "not installed" in missing.output and "Traceback" not in missing.output
