"""Tests of kg.store: deterministic graph.ttl, atomic replacement, the build lock, reading back."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from kg import store
from kg.errors import BuildError, BuildLockedError, NoGraphError
from kg.namespace import KG, WIKIDATA, bind_prefixes, mint
from kg.store import (
    atomic_write_text,
    build_lock,
    clean_leftovers,
    load_graph,
    open_store,
    serialize_turtle,
    write_graph,
)

ROOT = Path(__file__).resolve().parent.parent


def _triples() -> list[tuple]:
    boc = mint("entity", "Bank of China")
    deepseek = mint("entity", "DeepSeek")
    openai = mint("entity", "OpenAI")
    assertion = mint("assertion", "a1#0")
    article = mint("article", "news/2025-01-28.md")
    return [
        (boc, RDF.type, KG.Organization),
        (boc, RDFS.label, Literal("Bank of China")),
        (boc, SKOS.altLabel, Literal("Banco da China", lang="pt")),
        (boc, SKOS.altLabel, Literal("中国银行", lang="zh")),
        (boc, OWL.sameAs, WIKIDATA["Q790068"]),
        (deepseek, RDF.type, KG.Organization),
        (deepseek, RDFS.label, Literal("DeepSeek")),
        (deepseek, KG.competesWith, openai),
        (openai, RDF.type, KG.Organization),
        (openai, RDFS.label, Literal("OpenAI")),
        (boc, KG.investsIn, deepseek),
        (assertion, RDF.type, KG.Assertion),
        (assertion, RDF.subject, boc),
        (assertion, RDF.predicate, KG.investsIn),
        (assertion, RDF.object, deepseek),
        (
            assertion,
            KG.evidence,
            Literal('O Banco da China investiu "1,5 mil milhões" na DeepSeek.\n', lang="pt"),
        ),
        (assertion, KG.amount, Literal("1500000000", datatype=rdflib.XSD.decimal)),
        (assertion, KG.currency, Literal("USD")),
        (assertion, KG.confidence, Literal("0.9", datatype=rdflib.XSD.decimal)),
        (assertion, KG.startOffset, Literal(10)),
        (assertion, PROV.wasDerivedFrom, article),
        (article, RDF.type, KG.Article),
    ]


def make_graph(triples: list[tuple] | None = None) -> Graph:
    graph = bind_prefixes(Graph())
    for triple in triples if triples is not None else _triples():
        graph.add(triple)
    return graph


def assert_isomorphic(expected: Graph, actual: Graph) -> None:
    if not isomorphic(expected, actual):
        _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(
            "graphs differ\nonly expected:\n"
            + only_expected.serialize(format="nt")
            + "\nonly actual:\n"
            + only_actual.serialize(format="nt")
        )


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# --------------------------------------------------------------------------- determinism


def test_same_triples_give_identical_bytes_whatever_the_insertion_order(tmp_path: Path) -> None:
    triples = _triples()
    write_graph(make_graph(triples), tmp_path / "a")
    write_graph(make_graph(list(reversed(triples))), tmp_path / "b")
    shuffled = triples[1::2] + triples[::2]
    write_graph(make_graph(shuffled), tmp_path / "c")
    a = (tmp_path / "a" / "graph.ttl").read_bytes()
    assert a == (tmp_path / "b" / "graph.ttl").read_bytes()
    assert a == (tmp_path / "c" / "graph.ttl").read_bytes()


def test_bytes_do_not_depend_on_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])\n"
        "import test_store\n"
        "sys.stdout.write(test_store.serialize_turtle(test_store.make_graph()))\n"
    )
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script, str(ROOT), str(ROOT / "tests")],
            capture_output=True,
            env=env,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert outputs.pop().decode() == serialize_turtle(make_graph())


def test_turtle_is_readable() -> None:
    text = serialize_turtle(make_graph())
    assert text.startswith("@prefix ")
    assert 'kge:bank-of-china\n    a kg:Organization ;\n    rdfs:label "Bank of China" ;' in text
    assert '"Banco da China"@pt' in text
    assert "wd:Q790068" in text
    assert "@prefix dcterms:" not in text  # only prefixes that are used are declared


# --------------------------------------------------------------------------- writing and reading


def test_round_trip_through_graph_ttl_and_store(tmp_path: Path) -> None:
    graph = make_graph()
    stats = write_graph(graph, tmp_path)
    assert stats["triples"] == len(graph)
    assert stats["graph_bytes"] == (tmp_path / "graph.ttl").stat().st_size
    assert stats["store_bytes"] > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl", "store"]

    assert_isomorphic(graph, load_graph(tmp_path))
    reader = open_store(tmp_path)
    assert len(reader) == len(graph)
    boc = mint("entity", "Bank of China")
    label = reader.query(f"SELECT ?l WHERE {{ <{boc}> <{SKOS.altLabel}> ?l FILTER(lang(?l) = 'pt') }}")
    assert [s["l"].value for s in label] == ["Banco da China"]


def test_rewrite_replaces_previous_graph(tmp_path: Path) -> None:
    write_graph(make_graph(), tmp_path)
    smaller = make_graph(_triples()[:5])
    write_graph(smaller, tmp_path)
    assert_isomorphic(smaller, load_graph(tmp_path))
    assert len(open_store(tmp_path)) == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl", "store"]


def _snapshot(out_dir: Path) -> tuple[bytes, int]:
    return (out_dir / "graph.ttl").read_bytes(), len(open_store(out_dir))


@pytest.mark.parametrize("where", ["_marker_for", "_fill_store"])
def test_failed_write_leaves_previous_output_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    write_graph(make_graph(), tmp_path)
    before = _snapshot(tmp_path)
    original = getattr(store, where)

    def failing(*args: object, **kwargs: object) -> None:
        if where == "_fill_store":
            original(*args, **kwargs)  # the new store is complete on disk: fail right before the swap
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, where, failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_graph(make_graph(_triples()[:3]), tmp_path)
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.ttl", "store"]


def test_interrupted_between_graph_and_store_swap_reads_the_new_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_graph(make_graph(), tmp_path)
    monkeypatch.setattr(store, "_install_store", lambda out_dir, tmp: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        write_graph(make_graph(_triples()[:3]), tmp_path)
    # graph.ttl is new, store/ still holds the old graph: readers notice and use graph.ttl
    assert len(load_graph(tmp_path)) == 3
    assert len(open_store(tmp_path)) == 3
    monkeypatch.undo()
    write_graph(make_graph(_triples()[:3]), tmp_path)
    assert len(open_store(tmp_path)) == 3


def test_leftovers_of_dead_builds_are_cleaned_next_time(tmp_path: Path) -> None:
    write_graph(make_graph(), tmp_path)
    pid = dead_pid()
    (tmp_path / f".graph.ttl.tmp-{pid}").write_text("@prefix broken")
    (tmp_path / f".store.tmp-{pid}").mkdir()
    (tmp_path / f".store.tmp-{pid}" / "000001.sst").write_bytes(b"\0" * 10)
    (tmp_path / f".store.old-{pid}").mkdir()
    (tmp_path / f".graph.html.tmp-{pid}-a1b2c3").write_text("<html>")
    alive = tmp_path / f".graph.ttl.tmp-{os.getppid()}"  # a build still running elsewhere
    alive.write_text("")

    write_graph(make_graph(_triples()[:4]), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["graph.ttl", "store", alive.name])
    assert clean_leftovers(tmp_path) == []


def test_store_missing_falls_back_to_graph_ttl(tmp_path: Path) -> None:
    graph = make_graph()
    write_graph(graph, tmp_path)
    store._remove(tmp_path / "store")
    assert len(open_store(tmp_path)) == len(graph)
    writable = open_store(tmp_path, read_only=False)  # rebuilds store/ on disk
    assert len(writable) == len(graph)
    del writable
    assert (tmp_path / "store").is_dir()
    assert store.store_marker(tmp_path) is not None


def test_stale_store_is_not_used(tmp_path: Path) -> None:
    write_graph(make_graph(), tmp_path)
    atomic_write_text(tmp_path / "graph.ttl", serialize_turtle(make_graph(_triples()[:2])))
    assert store.store_marker(tmp_path) is None
    assert len(open_store(tmp_path)) == 2


def test_copied_folder_still_uses_its_store(tmp_path: Path) -> None:
    write_graph(make_graph(), tmp_path / "a")
    os.utime(tmp_path / "a" / "graph.ttl", (1, 1))  # as after a copy that does not keep times
    assert store.store_marker(tmp_path / "a") is not None


def test_missing_graph_raises_no_graph_error(tmp_path: Path) -> None:
    with pytest.raises(NoGraphError, match=r"no graph in .*: run `kg build ARTICLES --out .*` first"):
        load_graph(tmp_path)
    with pytest.raises(NoGraphError):
        open_store(tmp_path / "nowhere")


def test_iri_with_forbidden_characters_is_a_build_error(tmp_path: Path) -> None:
    graph = make_graph([(URIRef("https://w3id.org/kg/entity/a b"), RDFS.label, Literal("x"))])
    with pytest.raises(BuildError, match="not allowed in IRIs"):
        write_graph(graph, tmp_path)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- atomic files and lock


def test_atomic_write_text_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "summary.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "twó\n")
    assert target.read_bytes() == "twó\n".encode()
    assert [p.name for p in target.parent.iterdir()] == ["summary.json"]


def test_atomic_write_failure_keeps_old_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "graph.html"
    atomic_write_text(target, "old")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("no space left")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    with pytest.raises(OSError, match="no space left"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]


def test_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    with build_lock(tmp_path):
        with pytest.raises(BuildLockedError, match=f"another kg build is writing to {tmp_path}"):
            with build_lock(tmp_path):
                pass
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; sys.path.insert(0, sys.argv[1]); from kg.store import build_lock\n"
                "from kg.errors import BuildLockedError\n"
                "try:\n    build_lock(sys.argv[2]).__enter__()\nexcept BuildLockedError:\n    sys.exit(3)\n",
                str(ROOT),
                str(tmp_path),
            ],
            check=False,
        )
        assert other.returncode == 3
    with build_lock(tmp_path):  # released on exit
        pass


# --------------------------------------------------------------------------- property: any text round-trips

TRICKY = "\"\\\n\r\t'`<>{}|^ \x00\x07\x1b\x7f\u0085\u2028\u200f\u202e😀🇵🇹👩🏽‍💻שלוםمرحبا中国银行Ação"
texts = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(codec="utf-8")), max_size=40)
# names of any script mint valid IRIs (long ones are checked below)
names = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(codec="utf-8")), max_size=10)
langs = st.sampled_from([None, "pt", "en", "zh-hant", "ar"])


def _from_oxigraph(term: ox.NamedNode | ox.Literal) -> URIRef | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(rdflib.XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(names, texts, langs), min_size=1, max_size=6))
def test_any_text_and_minted_iri_round_trip(items: list[tuple[str, str, str | None]]) -> None:
    graph = bind_prefixes(Graph())
    for name, text, lang in items:
        entity = mint("entity", name)
        graph.add((entity, RDF.type, KG.Organization))
        graph.add((entity, RDFS.label, Literal(name)))
        graph.add((entity, SKOS.altLabel, Literal(text, lang=lang)))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_graph(graph, out)
        assert_isomorphic(graph, load_graph(out))
        parsed = ox.parse(path=str(out / "graph.ttl"), format=ox.RdfFormat.TURTLE)
        from_oxigraph = {tuple(_from_oxigraph(t) for t in (q.subject, q.predicate, q.object)) for q in parsed}
        assert from_oxigraph == set(graph)
        stored = {tuple(_from_oxigraph(t) for t in (q.subject, q.predicate, q.object)) for q in open_store(out)}
        assert stored == set(graph)


def test_long_non_latin_names_mint_valid_iris() -> None:
    for k in range(1, 4):
        iri = str(mint("entity", "-" * k + "中" * 50))
        ox.NamedNode(iri)
        list(ox.parse(f'<{iri}> <{RDFS.label}> "x" .', format=ox.RdfFormat.N_TRIPLES))
