"""The command line: help for every command, errors as one line, and each command end to end."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import __version__
from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)

ARTICLE_EN = (
    "Nvidia backs OpenAI\n\n"
    "Nvidia will invest $2 billion in OpenAI, the chipmaker said on Tuesday. "
    "OpenAI's o3 model was trained on Nvidia H100 GPUs.\n"
)
ARTICLE_PT = (
    "A chinesa DeepSeek desafia a OpenAI\n\n"
    "A chinesa DeepSeek lançou o modelo R1, que rivaliza com o o1 da OpenAI. "
    "O Banco da China vai investir 1 trilhão de yuans no setor de IA.\n"
)


@pytest.fixture()
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "nvidia.en.txt").write_text(ARTICLE_EN, encoding="utf-8")
    (folder / "deepseek.pt.txt").write_text(ARTICLE_PT, encoding="utf-8")
    return folder


@pytest.fixture()
def built(articles: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(articles), "--out", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Example" in result.output
    assert len(cli.commands[command].help or "") > 40
    assert re.search(rf"`kg {command}\b", README), f"`kg {command}` is not documented in the README"


def test_version_and_group_help() -> None:
    runner = CliRunner()
    assert __version__ in runner.invoke(cli, ["--version"]).output
    result = runner.invoke(cli, ["-h"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


def test_build_prints_a_summary_and_writes_the_outputs(articles: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(articles), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "read 2 article(s) (1 en, 1 pt)" in result.output
    assert re.search(r"entities: \d+ \(.*Organization", result.output)
    assert "investsIn" in result.output
    assert str(out / "graph.ttl") in result.output and str(out / "graph.html") in result.output
    assert (out / "graph.ttl").stat().st_size > 0 and (out / "graph.html").stat().st_size > 0


def test_build_of_a_missing_path_is_one_line_and_non_zero(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "nope" in result.output


def test_an_ontology_file_that_is_not_turtle_is_named_in_one_line(articles: Path, tmp_path: Path) -> None:
    bad = tmp_path / "my-additions.ttl"
    bad.write_text('@prefix kge: <https://w3id.org/kg/entity/> .\nkge:acme a kg:Organization ; rdfs:label "Acme" .\n')
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["build", str(articles), "--out", str(out), "--ontology", str(bad)])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "my-additions.ttl: not valid Turtle" in lines[0]
    assert "Traceback" not in result.output and not (out / "graph.ttl").exists()


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_query_formats(built: Path, fmt: str) -> None:
    sparql = "SELECT ?who ?target WHERE { ?who kg:investsIn ?target } ORDER BY ?who ?target"
    result = CliRunner().invoke(cli, ["query", sparql, "--out", str(built), "--format", fmt], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "nvidia" in result.output.lower() and "openai" in result.output.lower()
    if fmt == "json":
        data = json.loads(result.output)
        assert data["head"]["vars"] == ["who", "target"]


def test_query_from_a_file_and_a_refused_update(built: Path, tmp_path: Path) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text("ASK { ?m kg:trainedOn ?h }", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["query", str(rq), "--out", str(built)], catch_exceptions=False)
    assert result.exit_code == 0 and "true" in result.output.lower()
    refused = runner.invoke(cli, ["query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "--out", str(built)])
    assert refused.exit_code != 0 and "--allow-update" in refused.output


def test_stats_lists_types_relations_and_most_connected(built: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", "--out", str(built)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Organization" in result.output and "investsIn" in result.output
    assert "most connected:" in result.output and "OpenAI" in result.output


def test_commands_on_a_folder_with_no_graph_fail_clearly(tmp_path: Path) -> None:
    for args in (["stats"], ["query", "ASK {}"], ["validate"], ["open"]):
        result = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "empty")])
        assert result.exit_code == 1, args
        assert "kg build" in result.output and "Traceback" not in result.output


def test_open_prints_the_page_uri(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda uri: False)
    result = CliRunner().invoke(cli, ["open", "--out", str(built)], catch_exceptions=False)
    assert result.exit_code == 0
    assert (built / "graph.html").resolve().as_uri() in result.output


def test_validate_passes_on_a_built_graph(built: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "--out", str(built)], catch_exceptions=False)
    assert result.exit_code == 0 and "conforms" in result.output


def test_python_dash_m_kg_works() -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, check=True)
    assert __version__ in result.stdout


def test_the_installed_package_carries_the_whole_knowledge_base(tmp_path: Path) -> None:
    """Run from elsewhere, `kg` loads its ontology and knowledge base from the installed package."""
    import subprocess
    import sys

    code = "import kg.ontology as o; k = o.load(); print(len(k.entities), k.entities['bank-of-china'].label)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    count, label = result.stdout.split(" ", 1)
    assert int(count) >= 500 and label.strip() == "Bank of China"
