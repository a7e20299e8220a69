"""Failures on the output side: a full disk (a small tmpfs when the tests may mount one, and an injected
ENOSPC at each write step), a read-only output folder and an output path that is a file. Each gives one
line `Error: …` naming the path and the cause, exit 1, no traceback; the previous graph.ttl, store and
page stay as they were, no temporaries stay behind, and the next build works."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
import kg.pipeline
import kg.store
import kg.view
from kg.cache import ArticleCache
from kg.cli import cli

EN = "DeepSeek competes with OpenAI in the market for language models. Microsoft invested $10 billion in OpenAI.\n"
PT = "A DeepSeek concorre com a OpenAI no mercado de modelos. A Nvidia investiu US$ 2 bilhões na Mistral AI.\n"
TEMPORARY = re.compile(r"\.(?:tmp|old)(?:[-.]|$)")


QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"


def outputs(out: Path) -> dict[str, object]:
    """graph.ttl, graph.html and the store's marker (what graph it holds) by digest, and what the store answers
    (the store's own files change whenever it is opened)."""
    names = ["graph.ttl", "graph.html", f"store/{kg.store.STORE_MARKER}"]
    digests: dict[str, object] = {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in names}
    digests["answers"] = kg.query(QUERY, out).rows
    return digests


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and TEMPORARY.search(p.name))


def built(tmp_path: Path, out: Path) -> tuple[Path, dict[str, str]]:
    """A corpus and a first good build of it in `out`; then one article changed, so the next build writes."""
    corpus = tmp_path / "articles"
    corpus.mkdir(exist_ok=True)
    (corpus / "en.txt").write_text(EN, encoding="utf-8")
    (corpus / "pt.txt").write_text(PT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    before = outputs(out)
    (corpus / "pt.txt").write_text(PT + "A Anthropic concorre com a OpenAI.\n", encoding="utf-8")
    return corpus, before


def build(corpus: Path, out: Path):
    return CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out), "-q"], catch_exceptions=False)


def assert_previous_intact(out: Path, before: dict[str, str]) -> None:
    assert outputs(out) == before


def assert_cache_valid(out: Path) -> None:
    cache = ArticleCache(out, "")
    for entry in (out / "cache").rglob("*.json"):
        assert cache.get(entry.stem) is not None, entry


def no_space(path: object = None) -> OSError:
    return OSError(errno.ENOSPC, "No space left on device", str(path) if path else None)


def _fail_turtle(self, data: bytes) -> None:
    self.fh.write(data[: len(data) // 2])
    raise no_space(self.fh.name)


_atomic_write_text = kg.store.atomic_write_text


def _fail_store(path: Path, text: str) -> None:
    if path.parent.name.startswith(".store.tmp"):  # the new store's marker, its last file
        raise no_space(path)
    _atomic_write_text(path, text)


def _fail_page(reader, path, **kwargs):
    Path(path).write_bytes(b"<html>half a page")
    raise no_space(path)


def _fail_record(out_dir: Path, record) -> None:
    raise no_space(out_dir / kg.pipeline.BUILD_RECORD)


STEPS = {
    "graph.ttl": (kg.store._TurtleOut, "_write", _fail_turtle),
    "store": (kg.store, "atomic_write_text", _fail_store),
    "page": (kg.view, "write_page", _fail_page),
    "build record": (kg.pipeline, "_record_temporary", _fail_record),
}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_full_disk_at_each_write_step(tmp_path: Path, monkeypatch, step: str) -> None:
    out = tmp_path / "out"
    corpus, before = built(tmp_path, out)
    target, name, fault = STEPS[step]
    with monkeypatch.context() as patch:
        patch.setattr(target, name, fault)
        result = build(corpus, out)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write ") and "no space left on device" in lines[0]
    assert str(out) in lines[0] and "Traceback" not in result.output
    assert_previous_intact(out, before)  # the page and the record are written before anything is swapped in
    assert leftovers(out) == []
    assert_cache_valid(out)
    again = build(corpus, out)  # the disk has room again
    assert again.exit_code == 0 and leftovers(out) == []
    fresh = tmp_path / "fresh"
    assert build(corpus, fresh).exit_code == 0
    assert (out / "graph.ttl").read_bytes() == (fresh / "graph.ttl").read_bytes()


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted at `path` (root only); skips the test where it cannot be mounted."""
    path.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    if subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    ).returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(disk: Path) -> Path:
    """Fill `disk` to the last few bytes; returns the filler file."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as fh:
        with contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 4096)
    return filler


def test_a_disk_that_fills_up(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "8m") as disk:
        out = disk / "out"
        corpus, before = built(tmp_path, out)
        filler = fill(disk)
        result = build(corpus, out)
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: cannot write {out}") and "no space left" in lines[0]
        assert_previous_intact(out, before)
        assert leftovers(out) == []
        assert_cache_valid(out)
        filler.unlink()
        assert build(corpus, out).exit_code == 0 and leftovers(out) == []


def test_a_read_only_output_folder(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        with tmpfs(tmp_path / "disk", "8m") as disk:
            out = disk / "out"
            corpus, before = built(tmp_path, out)
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
            result = build(corpus, out)
            cause = "read-only file system"
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
            check_refused(result, out, before, cause)
    else:
        out = tmp_path / "out"
        corpus, before = built(tmp_path, out)
        out.chmod(0o555)
        try:
            result = build(corpus, out)
        finally:
            out.chmod(0o755)
        check_refused(result, out, before, "permission denied")


def check_refused(result, out: Path, before: dict[str, str], cause: str) -> None:
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot write {out}") and cause in lines[0], lines
    assert_previous_intact(out, before)


@pytest.mark.parametrize("lang_text", [EN, PT], ids=["en", "pt"])
def test_an_output_path_that_is_a_file(tmp_path: Path, lang_text: str) -> None:
    (tmp_path / "a.txt").write_text(lang_text, encoding="utf-8")
    target = tmp_path / "graph-here"
    target.write_text("my notes\n", encoding="utf-8")
    result = build(tmp_path / "a.txt", target)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: cannot write the output to {target}: it is a file, not a folder"
    assert target.read_text(encoding="utf-8") == "my notes\n"
