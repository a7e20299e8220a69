"""Tests of kg.sparql: predeclared prefixes, result formats, refusals, errors and the timeout."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from kg.errors import NoGraphError, QueryError
from kg.namespace import KG, bind_prefixes, mint
from kg.sparql import FORMATS, QueryResult, Term, compact, query
from kg.store import write_graph

ROOT = Path(__file__).resolve().parent.parent
ENT = "https://w3id.org/kg/entity/"

DEEPSEEK, OPENAI, NVIDIA, BOC = (mint("entity", n) for n in ("DeepSeek", "OpenAI", "NVIDIA", "Bank of China"))


def small_graph() -> Graph:
    graph = bind_prefixes(Graph())
    for entity, label in (
        (DEEPSEEK, "DeepSeek"),
        (OPENAI, "OpenAI"),
        (NVIDIA, "NVIDIA"),
        (BOC, "Bank of China"),
    ):
        graph.add((entity, RDF.type, KG.Organization))
        graph.add((entity, RDFS.label, Literal(label)))
    graph.add((BOC, SKOS.altLabel, Literal("Banco da China", lang="pt")))
    graph.add((DEEPSEEK, KG.competesWith, OPENAI))
    graph.add((BOC, KG.investsIn, DEEPSEEK))
    graph.add((OPENAI, KG.partnersWith, NVIDIA))
    assertion = mint("assertion", "a1#0")
    graph.add((assertion, RDF.type, KG.Assertion))
    graph.add((assertion, KG.evidence, Literal("A DeepSeek, apoiada\tpelo \x1b[31mBanco da China, " + "x" * 200)))
    graph.add((assertion, KG.amount, Literal("1500000000.5", datatype=rdflib.XSD.decimal)))
    return graph


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kg-out")
    write_graph(small_graph(), path)
    return path


@pytest.fixture
def writable_out(tmp_path: Path) -> Path:
    write_graph(small_graph(), tmp_path)
    return tmp_path


INVESTS = "SELECT ?who ?target WHERE { ?who kg:investsIn ?target }"
LABELS = "SELECT ?e ?label WHERE { ?e skos:altLabel ?label }"


# --------------------------------------------------------------------------- prefixes and kinds


def test_select_with_predeclared_prefixes(out: Path) -> None:
    result = query(INVESTS, out)
    assert result.kind == "select"
    assert result.variables == ["who", "target"]
    assert result.rows == [("kge:bank-of-china", "kge:deepseek")]
    assert result.bindings == [(Term("uri", ENT + "bank-of-china"), Term("uri", ENT + "deepseek"))]


def test_query_declaring_its_own_prefixes(out: Path) -> None:
    text = (
        "# my query\n"
        "BASE <https://w3id.org/kg/>\n"
        "PREFIX kg: <https://w3id.org/kg/ontology#>\n"
        "PREFIX ent: <entity/>\n"
        "SELECT ?target WHERE { ent:bank-of-china kg:investsIn ?target }"
    )
    assert query(text, out).rows == [("kge:deepseek",)]


def test_query_redefining_a_predeclared_prefix_wins(out: Path) -> None:
    text = "PREFIX kg: <http://example.org/other#> SELECT * WHERE { ?s kg:investsIn ?o }"
    assert query(text, out).rows == []


def test_unknown_prefix_is_named(out: Path) -> None:
    with pytest.raises(QueryError, match="unknown prefix foaf:"):
        query("SELECT * WHERE { ?s foaf:name ?o }", out)


def test_language_tags_and_unbound_values(out: Path) -> None:
    result = query(
        "SELECT ?e ?pt WHERE { ?e a kg:Organization "
        "OPTIONAL { ?e skos:altLabel ?pt FILTER(lang(?pt) = 'pt') } } ORDER BY ?e",
        out,
    )
    assert ("kge:bank-of-china", "Banco da China") in result.rows
    assert ("kge:deepseek", None) in result.rows


def test_ask(out: Path) -> None:
    assert query("ASK { kge:deepseek kg:competesWith kge:openai }", out).boolean is True
    result = query("ASK { kge:openai kg:investsIn ?x }", out)
    assert (result.kind, result.boolean) == ("ask", False)


def test_construct(out: Path) -> None:
    result = query("CONSTRUCT { ?b kg:fundedBy ?a } WHERE { ?a kg:investsIn ?b }", out)
    assert result.kind == "graph"
    assert result.triples == [
        (Term("uri", str(DEEPSEEK)), Term("uri", str(KG._NS) + "fundedBy"), Term("uri", str(BOC)))
    ]
    assert result.rows == [("kge:deepseek", "kg:fundedBy", "kge:bank-of-china")]


def test_describe(out: Path) -> None:
    result = query("DESCRIBE kge:bank-of-china", out)
    assert result.kind == "graph"
    described = Graph().parse(data=result.to_format("turtle"), format="turtle")
    assert (BOC, SKOS.altLabel, Literal("Banco da China", lang="pt")) in described
    assert (BOC, KG.investsIn, DEEPSEEK) in described


def test_query_from_rq_file(out: Path, tmp_path: Path) -> None:
    path = tmp_path / "investors.rq"
    path.write_text(INVESTS + "\n", encoding="utf-8")
    assert query(str(path), out).rows == [("kge:bank-of-china", "kge:deepseek")]
    assert query(path, out).rows == [("kge:bank-of-china", "kge:deepseek")]


def test_compact_prefers_the_longest_namespace() -> None:
    prefixes = {"w3": "https://w3id.org/", "kge": ENT}
    assert compact(ENT + "deepseek", prefixes) == "kge:deepseek"
    assert compact(ENT + "a b", prefixes) == ENT + "a b"


# --------------------------------------------------------------------------- formats


def test_select_table(out: Path) -> None:
    table = query(INVESTS + " ", out).to_format("table")
    lines = table.splitlines()
    assert lines[0].split() == ["who", "target"]
    assert set(lines[1]) == {"-", " "}
    assert lines[2].split() == ["kge:bank-of-china", "kge:deepseek"]
    assert lines[2].index("kge:deepseek") == lines[0].index("target")  # aligned
    assert lines[-1] == "(1 row)"


def test_table_cuts_long_cells_and_neutralises_control_characters(out: Path) -> None:
    table = query("SELECT ?text WHERE { ?a kg:evidence ?text }", out).to_format("table", width=40)
    row = table.splitlines()[2]
    assert row.endswith("…")
    assert len(row) == 40
    assert "\x1b" not in table and "\t" not in row


def test_select_csv(out: Path) -> None:
    rows = list(csv.reader(io.StringIO(query(LABELS, out).to_format("csv"))))
    assert rows == [["e", "label"], [ENT + "bank-of-china", "Banco da China"]]


def test_select_tsv(out: Path) -> None:
    lines = query(LABELS, out).to_format("tsv").splitlines()
    assert lines == ["?e\t?label", f'<{ENT}bank-of-china>\t"Banco da China"@pt']


def test_select_json_is_sparql_results(out: Path) -> None:
    doc = json.loads(query(LABELS, out).to_format("json"))
    assert doc == {
        "head": {"vars": ["e", "label"]},
        "results": {
            "bindings": [
                {
                    "e": {"type": "uri", "value": ENT + "bank-of-china"},
                    "label": {"type": "literal", "value": "Banco da China", "xml:lang": "pt"},
                }
            ]
        },
    }
    amount = json.loads(query("SELECT ?x WHERE { ?a kg:amount ?x }", out).to_format("json"))
    assert amount["results"]["bindings"][0]["x"]["datatype"] == str(rdflib.XSD.decimal)


def test_turtle_is_refused_for_select_and_ask(out: Path) -> None:
    with pytest.raises(QueryError, match="turtle output needs a CONSTRUCT or DESCRIBE query"):
        query(INVESTS, out).to_format("turtle")
    with pytest.raises(QueryError, match="turtle output needs a CONSTRUCT or DESCRIBE query"):
        query("ASK { ?s ?p ?o }", out).to_format("turtle")


def test_unknown_format(out: Path) -> None:
    with pytest.raises(QueryError, match="unknown format 'xml'"):
        query(INVESTS, out).to_format("xml")


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_ask_formats(out: Path, fmt: str) -> None:
    text = query("ASK { ?s kg:investsIn ?o }", out).to_format(fmt)
    if fmt == "json":
        assert json.loads(text) == {"head": {}, "boolean": True}
    else:
        assert text.split()[-1] == "true"


@pytest.mark.parametrize("fmt", FORMATS)
def test_construct_formats(out: Path, fmt: str) -> None:
    result = query(
        "CONSTRUCT { ?a kg:investsIn ?b . ?a rdfs:label ?l } WHERE { ?a kg:investsIn ?b ; rdfs:label ?l }",
        out,
    )
    text = result.to_format(fmt)
    if fmt == "turtle":
        expected = Graph()
        expected.add((BOC, KG.investsIn, DEEPSEEK))
        expected.add((BOC, RDFS.label, Literal("Bank of China")))
        assert isomorphic(Graph().parse(data=text, format="turtle"), expected)
        assert "kge:bank-of-china" in text
    elif fmt == "json":
        assert json.loads(text)["head"]["vars"] == ["subject", "predicate", "object"]
        assert len(json.loads(text)["results"]["bindings"]) == 2
    elif fmt == "table":
        assert "kg:investsIn" in text and "(2 triples)" in text
    else:
        assert len(text.strip().splitlines()) == 3


def test_describe_formats(out: Path) -> None:
    result = query("DESCRIBE kge:openai", out)
    for fmt in FORMATS:
        assert "openai" in result.to_format(fmt)


def test_empty_select_table(out: Path) -> None:
    table = query("SELECT ?x WHERE { ?x kg:trainedOn ?y }", out).to_format("table")
    assert table.splitlines()[0] == "x" and table.splitlines()[-1] == "(0 rows)"


# --------------------------------------------------------------------------- safety


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { kge:x kg:investsIn kge:y }",
        "DELETE WHERE { ?s kg:investsIn ?o }",
        "PREFIX ex: <http://example.org/> DELETE { ?s ?p ?o } INSERT { ?s ex:p ?o } WHERE { ?s ?p ?o }",
        "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP DEFAULT",
        "CREATE GRAPH <http://example.org/g>",
        "ADD DEFAULT TO <http://example.org/g>",
        "MOVE DEFAULT TO <http://example.org/g>",
        "COPY DEFAULT TO <http://example.org/g>",
        "# a select would be fine\nclear default",
    ],
)
def test_updates_are_refused(out: Path, update: str) -> None:
    with pytest.raises(QueryError, match=r"^updates are refused; pass --allow-update to modify the store$"):
        query(update, out)
    assert query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", out).rows == [(str(len(small_graph())),)]


def test_update_allowed_when_asked(writable_out: Path) -> None:
    result = query("INSERT DATA { kge:openai kg:investsIn kge:deepseek }", writable_out, allow_update=True)
    assert result.kind == "update" and "→" in result.to_format("table")
    assert sorted(query(INVESTS, writable_out).rows) == [
        ("kge:bank-of-china", "kge:deepseek"),
        ("kge:openai", "kge:deepseek"),
    ]
    query("DELETE WHERE { ?s kg:investsIn ?o }", writable_out, allow_update=True, timeout=None)
    assert query(INVESTS, writable_out).rows == []


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT ?endpoint { ?s ?q ?r } } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } }",
        "ASK { { SELECT ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } } } }",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_is_always_refused(writable_out: Path, text: str) -> None:
    with pytest.raises(QueryError, match="SERVICE"):
        query(text, writable_out, allow_update=True)


def test_keywords_in_comments_and_strings_are_not_refused(out: Path) -> None:
    text = (
        "# INSERT DATA { kge:x kg:investsIn kge:y }  -- and SERVICE <http://example.org/> too\n"
        "SELECT ?e WHERE {\n"
        "  ?e rdfs:label ?l  # DELETE WHERE { ?s ?p ?o }\n"
        '  FILTER(?l != \'DROP ALL; SERVICE <http://example.org/>\' && ?l != """INSERT\nDATA""")\n'
        "} ORDER BY ?e LIMIT 1"
    )
    assert query(text, out).rows == [("kge:bank-of-china",)]


def test_malformed_query_reports_line_and_column(out: Path) -> None:
    with pytest.raises(QueryError) as info:
        query("SELECT ?s\nWHERE { ?s ?p }", out)
    message = str(info.value)
    assert "line 2, column" in message
    assert "WHERE { ?s ?p }" in message  # the offending line is shown with a caret


@pytest.mark.parametrize("text", ["", "   \n# only a comment\n", "PREFIX ex: <http://example.org/>"])
def test_empty_or_prologue_only_query(out: Path, text: str) -> None:
    with pytest.raises(QueryError):
        query(text, out)


def test_missing_graph(tmp_path: Path) -> None:
    with pytest.raises(NoGraphError, match="kg build ARTICLES --out"):
        query(INVESTS, tmp_path / "kg-out")


def test_store_missing_falls_back_to_graph_ttl(writable_out: Path) -> None:
    shutil.rmtree(writable_out / "store")
    assert query(INVESTS, writable_out).rows == [("kge:bank-of-china", "kge:deepseek")]
    assert query(INVESTS, writable_out, timeout=None).rows == [("kge:bank-of-china", "kge:deepseek")]


def test_without_timeout_runs_in_process(out: Path) -> None:
    assert query(INVESTS, out, timeout=None).rows == [("kge:bank-of-china", "kge:deepseek")]


# --------------------------------------------------------------------------- time


@pytest.fixture(scope="module")
def big_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    graph = bind_prefixes(Graph())
    for i in range(1000):
        entity = mint("entity", f"company {i}")
        graph.add((entity, RDF.type, KG.Organization))
        graph.add((entity, RDFS.label, Literal(f"Company {i}")))
    path = tmp_path_factory.mktemp("big")
    write_graph(graph, path)
    return path


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 2,000³ solutions


def test_timeout_stops_a_runaway_query(big_out: Path) -> None:
    started = time.monotonic()
    with pytest.raises(QueryError, match="timed out after 1s"):
        query(RUNAWAY, big_out, timeout=1.0)
    assert time.monotonic() - started < 8


def test_timeout_in_a_fresh_single_threaded_process(big_out: Path) -> None:
    """`kg query` runs in a process with one thread, where the child is forked."""
    script = (
        "import sys, time; sys.path.insert(0, sys.argv[1])\n"
        "from kg.errors import QueryError\n"
        "from kg.sparql import query\nfrom kg.system import fork_is_safe\n"
        "assert fork_is_safe() == sys.platform.startswith('linux')\n"
        "assert query('ASK { ?s ?p ?o }', sys.argv[2]).boolean\n"
        "t = time.monotonic()\n"
        "try:\n"
        "    query(sys.argv[3], sys.argv[2], timeout=1.0)\n"
        "except QueryError as exc:\n"
        "    assert 'timed out' in str(exc), exc\n"
        "else:\n"
        "    sys.exit('no timeout')\n"
        "assert time.monotonic() - t < 8\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(ROOT), str(big_out), RUNAWAY],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr


def test_small_query_is_fast(out: Path) -> None:
    query(INVESTS, out)  # warm imports
    started = time.perf_counter()
    result = query(INVESTS, out)
    assert isinstance(result, QueryResult)
    assert time.perf_counter() - started < 1.0
