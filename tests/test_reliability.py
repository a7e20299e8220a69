"""Reliability: bad inputs are reported and skipped, builds survive kills, crashes and each other,
queries are safe, and hostile names survive the trip to RDF and back.

The README's reliability section lists every case with what `kg` does and the test here that checks it.
Builds that must behave like a user's run `python -m kg` in a subprocess (some through a small
launcher that injects a fault: a permission denial where root ignores permissions, a pause before
a file is renamed into place, or an exception in one article's analysis).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, RDFS

import kg
import kg.pipeline
from kg import read
from kg.errors import BuildError
from kg.namespace import ENTITY_TYPES, KG
from kg.records import Article, ArticleResult, Entity, Fact, Mention, Skipped
from kg.store import open_store, store_marker

PYTHON = sys.executable
SUBPROCESS_TIMEOUT = 180

EN = (
    "DeepSeek competes with OpenAI in the market for language models. "
    "Microsoft invested $10 billion in OpenAI last year.\n"
)
PT = (
    "A DeepSeek concorre com a OpenAI no mercado de modelos de linguagem. "
    "A Microsoft investiu 10 mil milhões de dólares na OpenAI.\n"
)

# Runs the CLI (`launcher.py build ...` is `kg build ...`) with faults injected through the environment.
LAUNCHER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path

    if os.environ.get("KG_TEST_DENY_UNREADABLE") and os.geteuid() == 0:
        # root ignores permission bits: refuse files nobody may read, as the kernel does for users
        real_open = Path.open

        def guarded_open(self, mode="r", *args, **kwargs):
            if "r" in mode and not os.stat(self).st_mode & 0o444:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, mode, *args, **kwargs)

        Path.open = guarded_open

    pause = os.environ.get("KG_TEST_PAUSE_BEFORE_REPLACE")
    if pause:
        real_replace = os.replace

        def slow_replace(src, dst, *args, **kwargs):
            if os.path.basename(dst) == pause:
                Path(os.environ["KG_TEST_PAUSED"]).touch()
                time.sleep(120)
            return real_replace(src, dst, *args, **kwargs)

        os.replace = slow_replace

    crash = os.environ.get("KG_TEST_CRASH_ARTICLE")
    if crash:
        import kg.pipeline

        real_process = kg.pipeline.process_article

        def process_article(article, *args, **kwargs):
            if article.id == crash:
                raise RuntimeError("injected failure")
            return real_process(article, *args, **kwargs)

        kg.pipeline.process_article = process_article

    from kg.cli import cli

    cli(sys.argv[1:], prog_name="kg")
    """
)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", **extra)
    env.pop("KG_ONTOLOGY_DIR", None)
    return env


def _default_sigint() -> None:
    """In the child: Ctrl-C behaves as in a terminal even if this test runner ignores SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def kg_cli(
    *args: object, launcher: Path | None = None, timeout: float = SUBPROCESS_TIMEOUT, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `kg ARGS...` (or the fault-injecting launcher) to completion."""
    head = [PYTHON, str(launcher)] if launcher else [PYTHON, "-m", "kg"]
    return subprocess.run(
        head + [str(a) for a in args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(**env),
        timeout=timeout,
        preexec_fn=_default_sigint,
    )


def kg_start(*args: object, launcher: Path | None = None, **env: str) -> subprocess.Popen[str]:
    """Start `kg ARGS...` (or the launcher) in the background."""
    head = [PYTHON, str(launcher)] if launcher else [PYTHON, "-m", "kg"]
    return subprocess.Popen(
        head + [str(a) for a in args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=_env(**env),
        preexec_fn=_default_sigint,
    )


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("launcher") / "launcher.py"
    path.write_text(LAUNCHER, encoding="utf-8")
    return path


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def lines_naming(stderr: str, text: str) -> list[str]:
    return [line for line in stderr.splitlines() if text in line]


def article_ids(out: Path) -> set[str]:
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    return {str(o) for o in graph.objects(None, DCTERMS.identifier)}


def evidence_of(out: Path) -> list[str]:
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    return [str(o) for o in graph.objects(None, KG.evidence)]


def snapshot(out: Path) -> dict[str, str]:
    """sha256 of every file under `out` but the lock and the cache (which a refused build may add to)."""
    digests = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if path.is_file() and relative != ".kg.lock" and not relative.startswith("cache/"):
            digests[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


TEMPORARY = re.compile(r"\.(?:tmp|old)(?:[-.]|$)")  # .graph.ttl.tmp-PID, .store.old-PID, .graph.html.X.tmp


def leftovers(out: Path) -> list[str]:
    """Temporary files or folders of builds in `out`."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and TEMPORARY.search(p.name))


# ============================================================================ a folder of bad inputs


@dataclass(frozen=True)
class Corpus:
    root: Path
    skipped: dict[str, str]  # path as reported → the reason reported (a substring of it)
    good: set[str]  # article ids that must be in the graph


def make_bad_corpus(root: Path) -> Corpus:
    """Every bad input of the reliability list, plus good articles in English and Portuguese."""
    good = {
        "good en.txt": "Rivals\n\n" + EN,
        "notícia ação/concorrência.md": "# Concorrência\n\n" + PT,
        "cp1252.txt": ("A NVIDIA fabrica chips — “disse” a Microsoft\n\n" + PT).encode("cp1252"),
        "invalid-utf8.txt": b"NVIDIA partners with Microsoft \x81\x8d on chips. " + EN.encode(),
        "utf16.txt": codecs.BOM_UTF16_LE + EN.encode("utf-16-le"),
        "malformed.html": (
            "<html><head><style>.STYLEMARKER { color: red }</style>"
            "<script>var s = 'Google invested $5 billion in Anthropic SCRIPTMARKER';</script></head>"
            "<body><p>NVIDIA partners with Microsoft on chips.<p>Google competes with OpenAI <b>in search"
            "<i> and ads.<script>document.write('SCRIPTMARKER')</script><div><span>Unclosed tags"
        ),
        "deep.html": "<html><body>"
        + "<div>" * 10_000
        + "<p>Anthropic competes with OpenAI in coding assistants.</p>"
        + "</div>" * 4_000,
    }
    for name, content in good.items():
        write(root / name, content)
    write(
        root / "news.jsonl",
        "\n".join(
            [
                json.dumps({"text": EN}),
                "{not json",
                json.dumps({"text": PT, "lang": "pt"}),
                "[1, 2]",
                json.dumps({"title": "no text here"}),
            ]
        )
        + "\n",
    )
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("inner.txt", EN)
    write(root / "image.png", png)
    write(root / "photo.txt", png)  # an image under a text name
    write(root / "report.pdf", b"%PDF-1.7\n" + bytes(range(256)))
    write(root / "archive.zip", archive.getvalue())
    write(root / "empty.txt", b"")
    write(root / "blank.md", " \n\t\n   \n")
    write(root / "list.json", "[1, 2]")
    write(root / "scalar.json", "42")
    write(root / "notext.json", json.dumps({"title": "A title and nothing else"}))
    locked = write(root / "locked.txt", EN)
    locked.chmod(0)
    with open(root / "huge.txt", "wb") as fh:  # 50 MB, sparse: costs nothing to make
        fh.write(EN.encode())
        fh.truncate(50 * 1024 * 1024)
    os.symlink(root, root / "loop", target_is_directory=True)
    os.symlink(root / "self-b.txt", root / "self-a.txt")
    os.symlink(root / "self-a.txt", root / "self-b.txt")
    os.symlink(root / "missing.txt", root / "dangling.txt")

    r = str(root)
    skipped = {
        f"{r}/image.png": "unsupported file type (.png): binary file",
        f"{r}/photo.txt": "binary file (PNG)",
        f"{r}/report.pdf": "unsupported file type (.pdf): binary file",
        f"{r}/archive.zip": "unsupported file type (.zip): binary file",
        f"{r}/empty.txt": "empty",
        f"{r}/blank.md": "empty",
        f"{r}/list.json#1": "item 1: not a JSON object",
        f"{r}/list.json#2": "item 2: not a JSON object",
        f"{r}/scalar.json": "JSON is not an object or an array of objects",
        f"{r}/notext.json": "no 'text' field",
        f"{r}/news.jsonl:2": "line 2: invalid JSON",
        f"{r}/news.jsonl:4": "line 4: not a JSON object",
        f"{r}/news.jsonl:5": "line 5: no 'text' field",
        f"{r}/locked.txt": "cannot read: permission denied",
        f"{r}/huge.txt": "file too large (52428800 bytes; the limit is 5 MiB)",
        f"{r}/self-a.txt": "broken symbolic link",
        f"{r}/self-b.txt": "broken symbolic link",
        f"{r}/dangling.txt": "broken symbolic link",
    }
    ids = {name for name in good} | {"news.jsonl#1", "news.jsonl#3"}
    return Corpus(root, skipped, ids)


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return make_bad_corpus(tmp_path_factory.mktemp("bad") / "in put ñ")


@pytest.fixture(scope="module")
def bad_build(
    bad_corpus: Corpus, launcher: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("bad-out") / "out dir ü"
    run = kg_cli("build", bad_corpus.root, "--out", out, launcher=launcher, KG_TEST_DENY_UNREADABLE="1")
    return out, run


def test_bad_inputs_are_reported_and_the_rest_is_built(bad_corpus: Corpus, bad_build) -> None:
    out, run = bad_build
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert (out / "graph.ttl").stat().st_size > 0 and (out / "graph.html").stat().st_size > 0
    for path, reason in bad_corpus.skipped.items():
        assert any(reason in line for line in lines_naming(run.stderr, f"{path}:")), (path, run.stderr)
    assert f"skipped {len(bad_corpus.skipped)}" in run.stdout
    assert article_ids(out) == bad_corpus.good
    # the symbolic-link loop is entered once: nothing is read twice, nothing is reported
    assert "loop" not in run.stderr
    assert not any("/loop/" in i for i in article_ids(out))


def test_each_bad_input_is_named_once(bad_corpus: Corpus, bad_build) -> None:
    _, run = bad_build
    for path in bad_corpus.skipped:
        assert len(lines_naming(run.stderr, f"{path}:")) == 1, (path, run.stderr)


def test_encodings_are_decoded_not_skipped(bad_build) -> None:
    out, _ = bad_build
    evidence = " ".join(evidence_of(out))
    assert "mil milhões de dólares" in evidence  # from cp1252.txt and news.jsonl, decoded right
    assert "Ã" not in evidence and "\ufffd" not in evidence
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    titles = {str(o) for o in graph.objects(None, DCTERMS.title)}
    assert "A NVIDIA fabrica chips — “disse” a Microsoft" in titles


def test_script_and_style_never_reach_the_graph(bad_build) -> None:
    out, _ = bad_build
    for marker in ("SCRIPTMARKER", "STYLEMARKER", "document.write", "color: red"):
        assert marker not in (out / "graph.ttl").read_text(encoding="utf-8")
        assert marker not in (out / "graph.html").read_text(encoding="utf-8")
    evidence = evidence_of(out)
    assert "NVIDIA partners with Microsoft on chips." in evidence
    assert "Anthropic competes with OpenAI in coding assistants." in evidence  # under 10,000 <div>s


def test_strict_fails_and_leaves_the_previous_output(bad_corpus: Corpus, bad_build, launcher: Path) -> None:
    out, _ = bad_build
    before = snapshot(out)
    run = kg_cli("build", bad_corpus.root, "--out", out, "--strict", launcher=launcher, KG_TEST_DENY_UNREADABLE="1")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert re.search(r"^Error: \d+ input\(s\) skipped in strict mode; first: .+: .+$", run.stderr, re.M)
    assert snapshot(out) == before
    assert kg.query("ASK { ?s a kg:Article }", out).boolean


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "no such folder" / "news.txt"
    run = kg_cli("build", tmp_path, missing, "--out", tmp_path / "out")
    assert run.returncode == 1
    assert run.stderr.strip() == f"Error: no such file or folder: {missing}"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["build"],
        ["build", ".", "--max-nodes", "-1"],
        ["build", ".", "--no-such-option"],
        ["query", "ASK {}", "--format", "xml"],
    ],
)
def test_wrong_arguments_exit_2(args: list[str]) -> None:
    run = kg_cli(*args)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "Error:" in run.stderr


def test_nothing_readable_exits_1(tmp_path: Path) -> None:
    write(tmp_path / "in" / "empty.txt", "")
    write(tmp_path / "in" / "image.png", b"\x89PNG\r\n\x1a\n")
    run = kg_cli("build", tmp_path / "in", "--out", tmp_path / "out")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert re.search(r"^Error: no article could be read \(.*empty.txt: empty", run.stderr, re.M)
    assert not (tmp_path / "out" / "graph.ttl").exists()


# ============================================================================ size limits


def test_the_documented_limit() -> None:
    assert read.MAX_ARTICLE_BYTES == 5 * 1024 * 1024


def test_oversized_file_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:
        fh.write(EN.encode())
        fh.truncate(50 * 1024 * 1024)
    read_bytes = 0
    real_open = Path.open

    class Counting(io.BufferedReader):
        def read(self, size: int | None = -1) -> bytes:
            nonlocal read_bytes
            data = super().read(size)
            read_bytes += len(data)
            return data

    def counting_open(self: Path, mode: str = "r", *args: object, **kwargs: object):
        if self == path:
            return Counting(io.FileIO(str(self), "rb"))
        return real_open(self, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", counting_open)
    assert list(read.read_file(path)) == [Skipped(str(path), "file too large (52428800 bytes; the limit is 5 MiB)")]
    assert read_bytes <= 64 * 1024


LARGE_ARTICLE_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys
    import kg
    report = kg.build([sys.argv[1]], sys.argv[2])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    print(json.dumps({"articles": report.articles, "facts": report.facts, "peak": peak,
                      "skipped": [[s.path, s.reason] for s in report.skipped]}))
    """
)


def long_article(chars: int) -> str:
    """A long report: paragraphs of filler with one sentence stating a fact each."""
    filler = [
        "Analysts said spending on computing power kept growing through the quarter.",
        "The company did not disclose the terms of the agreement.",
        "Regulators are studying how such deals affect competition in the sector.",
        "Executives expect the new systems to reach customers later this year.",
    ]
    facts = [
        "DeepSeek competes with OpenAI in the market for language models.",
        "Microsoft invested $10 billion in OpenAI.",
        "NVIDIA partners with Microsoft on data centres.",
    ]
    parts, size, i = ["A very long report\n\n"], 0, 0
    while size < chars:
        paragraph = " ".join(filler[(i + k) % 4] for k in range(6)) + " " + facts[i % 3] + "\n\n"
        parts.append(paragraph)
        size += len(paragraph)
        i += 1
    return "".join(parts)


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kilobytes on Linux only")
def test_a_one_megabyte_article_is_processed_in_bounded_memory(tmp_path: Path) -> None:
    write(tmp_path / "in" / "long.txt", long_article(1_050_000))
    script = write(tmp_path / "large.py", LARGE_ARTICLE_SCRIPT)
    run = subprocess.run(
        [PYTHON, str(script), str(tmp_path / "in"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["articles"] == 1 and result["skipped"] == [] and result["facts"] >= 3
    assert result["peak"] < 1024 * 1024 * 1024  # generous: about 250 MB is typical


def test_many_tiny_files(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(5_000):
        text = "" if i % 500 == 0 else f"OpenAI competes with DeepSeek, note {i}.\n"
        (folder / f"n{i:05d}.txt").write_text(text, encoding="utf-8")
    report = kg.build([folder], tmp_path / "out")
    assert report.articles == 4_990
    assert len(report.skipped) == 10 and {s.reason for s in report.skipped} == {"empty"}
    assert len(article_ids(tmp_path / "out")) == 4_990


# ============================================================================ interrupted builds

EN_TEMPLATES = [
    "{a} competes with {b} in the market for language models.",
    "{a} invested ${n} million in {b}, the companies said.",
    "{a} announced a partnership with {b} to sell AI services to banks.",
    "Analysts expect {a} to spend more on data centres next year.",
    "The agreement between {a} and {b} was signed on Tuesday.",
]
PT_TEMPLATES = [
    "A {a} concorre com a {b} no mercado de modelos de linguagem.",
    "A {a} investiu {n} milhões de dólares na {b}, disseram as empresas.",
    "A {a} anunciou uma parceria com a {b} para vender serviços de IA a bancos.",
    "Analistas esperam que a {a} gaste mais em centros de dados no próximo ano.",
]
ORGS = [
    "DeepSeek",
    "OpenAI",
    "NVIDIA",
    "Microsoft",
    "Google",
    "Anthropic",
    "Alibaba",
    "Meta",
    "Amazon",
    "Bank of China",
    "Mistral AI",
    "Baidu",
    "Tencent",
    "Huawei",
    "Samsung",
    "Intel",
]


def generated_corpus(root: Path, n: int, salt: str = "") -> Path:
    """`n` articles from the templates above, alternating English and Portuguese."""
    for i in range(n):
        templates = EN_TEMPLATES if i % 2 == 0 else PT_TEMPLATES
        sentences = []
        for k in range(8):
            a, b = ORGS[(i + k) % len(ORGS)], ORGS[(3 * i + 5 * k + 1) % len(ORGS)]
            if a == b:
                b = ORGS[(ORGS.index(a) + 1) % len(ORGS)]
            sentences.append(templates[(i + k) % len(templates)].format(a=a, b=b, n=10 + i + k))
        write(root / f"{salt}article-{i:04d}.txt", f"Story {salt}{i}\n\n" + " ".join(sentences) + "\n")
    return root


@dataclass
class Previous:
    """The output folder of a first build and its bytes, to compare with after an interruption."""

    out: Path
    small: Path
    big: Path
    ttl: bytes
    html: bytes

    def assert_intact(self) -> None:
        assert (self.out / "graph.ttl").read_bytes() == self.ttl
        assert (self.out / "graph.html").read_bytes() == self.html
        Graph().parse(self.out / "graph.ttl", format="turtle")
        run = kg_cli("query", "SELECT ?a WHERE { ?a kg:investsIn kge:openai }", "--out", self.out, "--format", "csv")
        assert run.returncode == 0, run.stderr
        assert "https://w3id.org/kg/entity/microsoft" in run.stdout
        assert store_marker(self.out) is not None  # store/ holds this graph.ttl and is what queries use
        assert len(open_store(self.out)) == len(Graph().parse(data=self.ttl.decode(), format="turtle"))
        self.assert_cache_loadable()

    def assert_cache_loadable(self) -> None:
        for entry in (self.out / "cache").rglob("*.json") if (self.out / "cache").exists() else ():
            json.loads(entry.read_bytes())

    def rebuild(self) -> None:
        """A build straight after the interruption works with no clean-up and gives the same bytes."""
        kg.build([self.small], self.out)
        assert (self.out / "graph.ttl").read_bytes() == self.ttl
        assert (self.out / "graph.html").read_bytes() == self.html


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Previous:
    base = tmp_path_factory.mktemp("interrupt")
    small = write(base / "small" / "a.txt", "Rivals\n\n" + EN).parent
    write(small / "b.txt", "Concorrência\n\n" + PT)
    big = generated_corpus(base / "big", 300)
    out = base / "out"
    kg.build([small], out)
    return Previous(out, small, big, (out / "graph.ttl").read_bytes(), (out / "graph.html").read_bytes())


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the build ended before {what}: {process.communicate()[1][-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.001)


def temporary(out: Path, prefix: str) -> Callable[[], bool]:
    return lambda: any(name.startswith(prefix) for name in os.listdir(out))


def interrupt(
    previous: Previous, moment: str, sig: signal.Signals, launcher: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Start a build of the big corpus into the previous output folder and send `sig` at `moment`:
    after "N s", when a temporary named "PREFIX…" appears, or ("pause:NAME", with the launcher)
    while the build waits just before renaming its new NAME into place."""
    env = {}
    paused = previous.out.parent / "paused"
    paused.unlink(missing_ok=True)
    if moment.startswith("pause:"):
        assert launcher is not None
        env = {"KG_TEST_PAUSE_BEFORE_REPLACE": moment.removeprefix("pause:"), "KG_TEST_PAUSED": str(paused)}
    process = kg_start("build", previous.big, "--out", previous.out, launcher=launcher, **env)
    if moment.startswith("pause:"):
        wait_for(paused.exists, process, moment)
    elif moment.endswith("s") and moment[:-1].replace(".", "").isdigit():
        time.sleep(float(moment[:-1]))
        if process.poll() is not None:
            pytest.fail(f"the build ended before {moment}")
    else:
        wait_for(temporary(previous.out, moment), process, moment)
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize("moment", ["0.5s", "1.5s", ".graph.ttl.tmp-", "pause:graph.ttl"])
def test_sigkill_leaves_the_previous_output_and_the_next_build_works(
    previous: Previous, moment: str, launcher: Path
) -> None:
    run = interrupt(previous, moment, signal.SIGKILL, launcher)
    assert run.returncode == -signal.SIGKILL
    previous.assert_intact()
    previous.rebuild()


def test_sigkill_between_the_graph_and_store_swaps(previous: Previous, launcher: Path) -> None:
    """graph.ttl is new, store/ still the previous one: queries see the new graph, the page is the old one."""
    run = interrupt(previous, "pause:store", signal.SIGKILL, launcher)
    assert run.returncode == -signal.SIGKILL
    new = Graph().parse(previous.out / "graph.ttl", format="turtle")
    assert (previous.out / "graph.ttl").read_bytes() != previous.ttl
    assert store_marker(previous.out) is None  # the stale store is recognised and not used
    assert (previous.out / "graph.html").read_bytes() == previous.html
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    run = kg_cli("query", count, "--out", previous.out, "--format", "csv")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["n", str(len(new))]
    previous.assert_cache_loadable()
    previous.rebuild()


@pytest.mark.parametrize("moment", ["1.5s", ".graph.ttl.tmp-"])
def test_ctrl_c_aborts_with_a_short_message(previous: Previous, moment: str) -> None:
    run = interrupt(previous, moment, signal.SIGINT)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1:] == ["Aborted!"]
    assert "Traceback" not in run.stderr
    previous.assert_intact()
    previous.rebuild()


def test_sigterm_stops_the_build_and_leaves_the_previous_output(previous: Previous) -> None:
    run = interrupt(previous, ".graph.ttl.tmp-", signal.SIGTERM)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    previous.assert_intact()
    rebuilt = kg_cli("build", previous.small, "--out", previous.out)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (previous.out / "graph.ttl").read_bytes() == previous.ttl


def test_sigterm_prints_a_short_message(previous: Previous) -> None:
    run = interrupt(previous, ".graph.ttl.tmp-", signal.SIGTERM)
    try:
        assert run.returncode != 0
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    finally:
        previous.rebuild()


def test_the_next_build_removes_a_killed_build_s_temporaries(previous: Previous) -> None:
    run = interrupt(previous, ".graph.ttl.tmp-", signal.SIGKILL)
    assert run.returncode == -signal.SIGKILL
    time.sleep(1)  # anything the killed build left running has finished by now
    previous.rebuild()
    assert leftovers(previous.out) == []


@pytest.fixture(scope="module")
def killed_while_writing_the_page(
    previous: Previous, launcher: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    """SIGKILL a build paused just before `graph.html` is renamed into place (graph.ttl and the
    store are new by then); return the temporaries left after the next build."""
    base = tmp_path_factory.mktemp("page")
    out = base / "out"
    shutil.copytree(previous.out, out)
    paused = base / "paused"
    other = generated_corpus(base / "other", 3, salt="other-")
    process = kg_start(
        "build",
        other,
        "--out",
        out,
        launcher=launcher,
        KG_TEST_PAUSE_BEFORE_REPLACE="graph.html",
        KG_TEST_PAUSED=str(paused),
    )
    wait_for(paused.exists, process, "the page is written")
    process.kill()
    process.communicate(timeout=60)
    assert (out / "graph.html").read_bytes() == previous.html
    assert (out / "graph.ttl").read_bytes() != previous.ttl
    Graph().parse(out / "graph.ttl", format="turtle")
    kg.build([previous.small], out)
    assert (out / "graph.ttl").read_bytes() == previous.ttl
    return leftovers(out)


def test_sigkill_while_the_page_is_written_keeps_the_previous_page(killed_while_writing_the_page) -> None:
    assert all(name.startswith(".graph.html.") for name in killed_while_writing_the_page)


def test_the_page_temporary_of_a_killed_build_is_cleaned_up(killed_while_writing_the_page) -> None:
    assert killed_while_writing_the_page == []


# ============================================================================ two builds at once

HOLDING_BUILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import kg

    started, release = Path(sys.argv[3]), Path(sys.argv[4])

    def hold(item):
        started.touch()
        while not release.exists():
            time.sleep(0.02)

    kg.build([sys.argv[1]], sys.argv[2], on_article=hold)
    """
)


def test_a_second_build_on_the_same_folder_is_refused(previous: Previous, tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = write(tmp_path / "hold.py", HOLDING_BUILD)
    started, release = tmp_path / "started", tmp_path / "release"
    first = subprocess.Popen(
        [PYTHON, str(script), str(previous.small), str(out), str(started), str(release)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        wait_for(started.exists, first, "the first build holds the lock")
        second = kg_cli("build", previous.small, "--out", out)
        assert second.returncode == 1
        assert second.stderr.strip() == f"Error: another kg build is writing to {out}"
        assert not (out / "graph.ttl").exists()
    finally:
        release.touch()
    _, stderr = first.communicate(timeout=SUBPROCESS_TIMEOUT)
    assert first.returncode == 0, stderr
    assert (out / "graph.ttl").read_bytes() == previous.ttl


# ============================================================================ a crash in one article


def crash_on(monkeypatch: pytest.MonkeyPatch, article_id: str) -> None:
    real = kg.pipeline.process_article

    def process_article(article: Article, *args: object, **kwargs: object) -> ArticleResult:
        if article.id == article_id:
            raise RuntimeError("injected failure")
        return real(article, *args, **kwargs)

    monkeypatch.setattr(kg.pipeline, "process_article", process_article)


@pytest.fixture
def three_articles(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    write(folder / "a.txt", "Rivals\n\n" + EN)
    write(folder / "b.txt", "Concorrência\n\n" + PT)
    write(folder / "c.txt", "Partners\n\nNVIDIA partners with Microsoft on chips.\n")
    return folder


def test_a_crash_in_one_article_skips_only_that_article(
    three_articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_on(monkeypatch, "b.txt")
    report = kg.pipeline.build([three_articles], tmp_path / "out")
    assert report.articles == 2
    [skipped] = report.skipped
    assert skipped.path.endswith("b.txt")
    assert skipped.reason == "analysis failed: RuntimeError: injected failure"
    assert article_ids(tmp_path / "out") == {"a.txt", "c.txt"}


def test_a_crash_is_reported_with_the_article_path(
    three_articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_on(monkeypatch, "b.txt")
    report = kg.pipeline.build([three_articles], tmp_path / "out")
    assert [s.path for s in report.skipped] == [str(three_articles / "b.txt")]


def test_a_crash_fails_a_strict_build(three_articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crash_on(monkeypatch, "b.txt")
    expected = r"1 input\(s\) skipped in strict mode; first: .*b.txt: analysis failed"
    with pytest.raises(BuildError, match=expected):
        kg.pipeline.build([three_articles], tmp_path / "out", strict=True)
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_a_crash_is_one_line_on_the_command_line(three_articles: Path, tmp_path: Path, launcher: Path) -> None:
    run = kg_cli("build", three_articles, "--out", tmp_path / "out", launcher=launcher, KG_TEST_CRASH_ARTICLE="b.txt")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    [line] = lines_naming(run.stderr, "b.txt")
    assert line.endswith("b.txt: analysis failed: RuntimeError: injected failure")


# ============================================================================ queries


@pytest.fixture(scope="module")
def runaway_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rdflib import Literal
    from rdflib.namespace import RDF

    from kg.namespace import bind_prefixes, mint
    from kg.store import write_graph

    graph = bind_prefixes(Graph())
    for i in range(1000):
        entity = mint("entity", f"company {i}")
        graph.add((entity, RDF.type, KG.Organization))
        graph.add((entity, RDFS.label, Literal(f"Company {i}")))
    out = tmp_path_factory.mktemp("runaway")
    write_graph(graph, out)
    return out


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { kge:x a kg:Organization }",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
    ],
)
def test_updates_are_refused(previous: Previous, update: str) -> None:
    before = snapshot(previous.out)
    run = kg_cli("query", update, "--out", previous.out)
    assert run.returncode == 1
    assert "--allow-update" in run.stderr and "Traceback" not in run.stderr
    assert snapshot(previous.out) == before
    assert not kg.query("ASK { kge:x ?p ?o }", previous.out).boolean
    assert kg.query("ASK { ?s kg:investsIn ?o }", previous.out).boolean


def test_service_is_refused(previous: Previous) -> None:
    run = kg_cli("query", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "--out", previous.out)
    assert run.returncode == 1
    assert run.stderr.startswith("Error: SERVICE (federated query) is refused")


def test_malformed_query_names_line_and_column(previous: Previous) -> None:
    run = kg_cli("query", "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?s = ) }", "--out", previous.out)
    assert run.returncode == 1
    assert re.search(r"malformed SPARQL at line \d+, column \d+", run.stderr)
    assert "Traceback" not in run.stderr


def test_query_without_a_graph(tmp_path: Path) -> None:
    run = kg_cli("query", "ASK { ?s ?p ?o }", "--out", tmp_path / "nothing")
    assert run.returncode == 1
    assert run.stderr.strip().startswith("Error: no graph in") and "Traceback" not in run.stderr


def test_timeout_stops_a_runaway_query(runaway_out: Path) -> None:
    started = time.monotonic()
    run = kg_cli(
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        "--out",
        runaway_out,
        "--timeout",
        "1",
    )
    assert run.returncode == 1
    assert "Error: query timed out after 1s" in run.stderr and "Traceback" not in run.stderr
    assert time.monotonic() - started < 10


def test_the_documented_query_timeout() -> None:
    from kg.sparql import DEFAULT_TIMEOUT

    assert DEFAULT_TIMEOUT == 30
    assert "default: 30" in kg_cli("query", "--help").stdout


# ============================================================================ per-article extraction

KB_NAMES = [
    "DeepSeek",
    "OpenAI",
    "NVIDIA",
    "Microsoft",
    "Bank of China",
    "Banco da China",
    "Google",
    "Anthropic",
    "Alibaba",
    "Stargate",
    "GPT-4o",
    "DeepSeek-R1",
    "H100",
    "Sam Altman",
    "Jensen Huang",
    "China",
    "Estados Unidos",
    "United States",
    "São Paulo",
    "Mistral AI",
    "Llama 3",
    "Meta",
]
TRIGGERS = [
    "competes with",
    "concorre com",
    "invested",
    "investiu",
    "invests in",
    "investe na",
    "partners with",
    "em parceria com",
    "trained on",
    "treinado em",
    "developed by",
    "desenvolvido pela",
    "CEO of",
    "CEO da",
    "based in",
    "sediada em",
    "rival",
    "led a round",
    "rodada liderada pela",
    " in ",
    " na ",
    " and ",
    " e ",
    "'s",
    " not ",
    " não ",
    "may",
    "pode",
]
MONEY = [
    "$10 billion",
    "$1.5bn",
    "€300m",
    "US$ 2,5 bilhões",
    "R$ 1 bi",
    "10 mil milhões de dólares",
    "¥1 trillion",
    "up to $100 billion",
    "até US$ 5 milhões",
    "$",
    "1.000.000",
    "0,5",
    "9" * 40,
]
PUNCTUATION = [
    ". ",
    ", ",
    "; ",
    ": ",
    "\n",
    "\n\n",
    "!",
    "?",
    "…",
    '"',
    "“",
    "”",
    "«",
    "»",
    "(",
    ")",
    "[",
    "-",
    "—",
    "'",
    "’",
    " ",
    "\t",
    "\r\n",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "...",
    "#",
    "<b>",
    "&amp;",
]
EXOTIC = [
    "🚀",
    "👩‍💻",
    "🇧🇷",
    "مرحبا بالعالم",
    "שלום",
    "\u200f",
    "\u202e",
    "e\u0301",
    "中国银行",
    "ﬁ",
    "𝔄𝔦",
    "İ",
    "ß",
    "\u0000",
    "\x1b[31m",
    "Ⅻ",
]
FRAGMENT = st.one_of(
    st.sampled_from(KB_NAMES),
    st.sampled_from(TRIGGERS),
    st.sampled_from(MONEY),
    st.sampled_from(PUNCTUATION),
    st.sampled_from(EXOTIC),
    st.text(max_size=8),
)
FACT_TEMPLATES = [
    "{a} invested {money} in {b}.",
    "{a} competes with {b}.",
    "{a} partners with {b} on chips.",
    "{a} led a {money} round in {b}.",
    "{a}, a rival of {b}, grew.",
    "{a} did not invest in {b}.",
    "A {a} investiu {money} na {b}.",
    "A {a} concorre com a {b}.",
    "A {a} fez parceria com a {b}.",
    "A {a} pode investir {money} na {b}.",
    "{a} said {b} invested {money} in it",
]
ORG_NAMES = [
    "DeepSeek",
    "OpenAI",
    "NVIDIA",
    "Microsoft",
    "Bank of China",
    "Banco da China",
    "Google",
    "Anthropic",
    "Alibaba",
    "Mistral AI",
    "Meta",
    "Acme Widgets Corp",
    "Nova Startup Ltda",
]
NOISE = st.one_of(
    st.sampled_from(["", "", " ", "\n", "\n\n", " Analysts agreed. "]),
    st.sampled_from(EXOTIC),
    st.sampled_from(PUNCTUATION),
    st.text(max_size=4),
)
# a sentence stating a fact ("Microsoft invested $10 billion in OpenAI."), with noise around it
SENTENCE = st.builds(
    lambda before, template, a, b, money, after: before + template.format(a=a, b=b, money=money) + after,
    NOISE,
    st.sampled_from(FACT_TEMPLATES),
    st.sampled_from(ORG_NAMES),
    st.sampled_from(ORG_NAMES),
    st.sampled_from(MONEY),
    NOISE,
)
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(FRAGMENT, max_size=60).map("".join),
    st.lists(st.one_of(SENTENCE, SENTENCE, SENTENCE, FRAGMENT), min_size=1, max_size=12).map("".join),
    st.lists(st.one_of(SENTENCE, SENTENCE, SENTENCE, FRAGMENT), min_size=1, max_size=12).map("".join),
)


def check_result(article: Article, result: ArticleResult) -> None:
    document = article.document
    for fact in result.facts:
        assert 0 <= fact.start <= fact.end <= len(document), fact
        assert fact.evidence == document[fact.start : fact.end], fact
    for mention in result.mentions:
        assert 0 <= mention.start <= mention.end <= len(document), mention
        assert mention.text == document[mention.start : mention.end], mention


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.one_of(st.just(""), st.text(max_size=40), st.lists(FRAGMENT, max_size=8).map("".join)),
    text=TEXTS,
    lang=st.sampled_from(["en", "pt"]),
)
def test_extraction_never_raises_and_offsets_match_the_text(title: str, text: str, lang: str) -> None:
    article = Article(id="a.txt", path="a.txt", title=title, text=text, lang=lang)
    check_result(article, kg.pipeline.process_article(article))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.lists(FRAGMENT, max_size=40).map("".join), lang=st.sampled_from(["en", "pt"]))
def test_extraction_of_read_text_never_raises(text: str, lang: str) -> None:
    """The same after the reader's normalisation (NFC, line ends, trimmed), as in a build."""
    text = read.normalise_text(text).strip() or "."
    article = Article(id="a.txt", path="a.txt", title="", text=text, lang=lang)
    check_result(article, kg.pipeline.process_article(article))


# ============================================================================ IRIs and literals

HOSTILE = [
    "Acme Robotics Inc",
    'The "Quoted" Company',
    "<Angle> & Brackets",
    "Back\\slash AI",
    "Multi\nLine\r\nLabs",
    "Tab\tSeparated",
    "Emoji 🚀 Robotics 👩‍💻",
    "شركة الذكاء الاصطناعي",
    "חברת בינה",
    "\u202eevil RTL override",
    "中国人工智能公司",
    "Ünïcödé Äï",
    "x" * 500,
    "Ação " * 100,
    "%41 percent %zz",
    "#hash?query=1&b=2",
    "}{|^`~",
    "'single' quotes' end'",
    '"""triple"""',
    "\x01control\x7f",
    "trailing.",
    "-",
    "🚀",
]


ARTICLE_ID = "dir with space/ação <1>.txt#3"


def hostile_graph(names: list[str]) -> tuple[Graph, dict[str, Entity]]:
    """`kg.graph.to_rdf` of one article mentioning an entity for each name, with facts between them."""
    from kg.graph import to_rdf

    entities = {f"new:{i}": Entity(f"new:{i}", name, ENTITY_TYPES[i % 7]) for i, name in enumerate(names)}
    keys = list(entities)
    document = "\n".join(names)
    mentions = []
    position = 0
    for key, name in zip(keys, names, strict=True):
        mentions.append(Mention(position, position + len(name), name, entities[key].type, key, "rule"))
        position += len(name) + 1
    facts = [
        Fact(
            a,
            "competesWith",
            b,
            ARTICLE_ID,
            f"{entities[a].label} vs {entities[b].label}",
            0,
            len(document),
            0.5,
            Decimal("12.5"),
            "USD",
            "2025-01-28",
        )
        for a, b in zip(keys, keys[1:], strict=False)
    ]
    article = Article(
        id=ARTICLE_ID,
        path="dir with space/ação <1>.txt",
        title=names[0],
        text=document,
        lang="pt",
        url="",
        published="2025-01-28",
    )
    return to_rdf([ArticleResult(article, tuple(mentions), tuple(facts))], entities), entities


def assert_round_trips(graph: Graph, names: list[str], out: Path) -> None:
    from kg.store import write_graph

    write_graph(graph, out)
    ttl = out / "graph.ttl"
    loaded = Graph().parse(ttl, format="turtle")
    if not isomorphic(graph, loaded):
        _, only_before, only_after = graph_diff(to_isomorphic(graph), to_isomorphic(loaded))
        pytest.fail(f"graph.ttl changed the graph:\n-{sorted(only_before)[:5]}\n+{sorted(only_after)[:5]}")
    nt = loaded.serialize(format="nt")
    assert isomorphic(Graph().parse(data=nt, format="nt"), graph)

    # another parser: pyoxigraph reads graph.ttl and the N-Triples to the same triples, labels unchanged
    from_ttl = set(ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE))
    from_nt = set(ox.parse(input=nt.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    assert from_ttl == from_nt
    assert len(from_ttl) == len(graph)
    label = ox.NamedNode(str(RDFS.label))
    labels = sorted(t.object.value for t in from_ttl if t.predicate == label)
    assert labels == sorted(names)
    subjects = {t.subject for t in from_ttl if t.predicate == label}
    assert len(subjects) == len(names)  # one IRI per entity: no two names collapse into one
    iris = {str(t) for triple in graph for t in triple if isinstance(t, rdflib.URIRef)}
    for iri in iris:
        assert rdflib.term._is_valid_uri(iri), iri


def test_hostile_names_give_valid_iris_and_unchanged_literals(tmp_path: Path) -> None:
    graph, _ = hostile_graph(HOSTILE)
    assert_round_trips(graph, HOSTILE, tmp_path)


NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80).filter(lambda s: s.strip() != "")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(NAMES, min_size=2, max_size=6, unique=True))
@example(names=[":", "3A"])  # a percent-encoded slug and a plain one that once became the same IRI
def test_any_names_round_trip_through_to_rdf(tmp_path: Path, names: list[str]) -> None:
    graph, _ = hostile_graph(names)
    out = tmp_path / hashlib.sha256(json.dumps(names).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    assert_round_trips(graph, names, out)
