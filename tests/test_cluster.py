"""`kg build --cluster`: a real Dask scheduler and two worker processes on 127.0.0.1 give the bytes
of a local build, survive a killed worker, analyse only what the cache lacks, and an unreachable
scheduler is a one-line error that leaves the previous outputs alone."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg import cluster as kg_cluster
from kg.cli import cli
from kg.errors import ClusterError, InputError

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # seconds a scheduler or a worker may take to come up on a busy machine


def _generate(folder: Path, n: int) -> Path:
    spec = importlib.util.spec_from_file_location("kg_bench_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(folder, n)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = _generate(tmp_path_factory.mktemp("cluster") / "articles", 60)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")  # a skipped input among them
    return folder


@pytest.fixture(scope="module")
def local(corpus, tmp_path_factory) -> Path:
    """The same corpus built in this process: the bytes a cluster build must give."""
    out = tmp_path_factory.mktemp("local") / "out"
    kg.build([corpus], out, cache=False)
    return out


@dataclass
class Cluster:
    """A scheduler and its workers, each a process of its own, and a client of the scheduler."""

    address: str
    processes: list[subprocess.Popen]
    client: object

    def worker_pids(self) -> dict[str, int]:
        return self.client.run(os.getpid)


def _wait(condition: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _stop(processes: list[subprocess.Popen]) -> None:
    for proc in reversed(processes):
        if proc.poll() is None:
            proc.terminate()
    for proc in reversed(processes):
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(15)


@contextlib.contextmanager
def _start_cluster(folder: Path, workers: int = 2) -> Iterator[Cluster]:
    """`dask scheduler` on a free loopback port and `workers` `dask worker` processes of one thread."""
    distributed = pytest.importorskip("distributed", reason="the cluster extra (pip install 'kg[cluster]') is missing")
    folder.mkdir(parents=True, exist_ok=True)
    scheduler_file = folder / "scheduler.json"
    common = ["--no-dashboard"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0"]
            + ["--scheduler-file", str(scheduler_file), *common],
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "scheduler.log", "wb"),  # noqa: SIM115 - closed with the process
        )
    ]
    client = None
    try:
        _wait(scheduler_file.exists, "the scheduler's address")
        for i in range(workers):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file", str(scheduler_file)]
                    + ["--nthreads", "1", "--name", f"w{i + 1}", "--local-directory", str(folder), *common],
                    stdout=subprocess.DEVNULL,
                    stderr=open(folder / f"worker{i + 1}.log", "wb"),  # noqa: SIM115
                )
            )
        client = distributed.Client(scheduler_file=str(scheduler_file), timeout="30s", set_as_default=False)
        client.wait_for_workers(workers, timeout=START_TIMEOUT)
        yield Cluster(client.scheduler.address, processes, client)
    finally:
        if client is not None:
            client.close(timeout=10)
        _stop(processes)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory) -> Iterator[Cluster]:
    with _start_cluster(tmp_path_factory.mktemp("dask")) as cluster:
        yield cluster


def _build(corpus: Path, out: Path, *extra: str) -> None:
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out), "-q", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.html")}


def test_a_cluster_build_gives_the_bytes_of_a_local_build(corpus, local, two_workers, tmp_path):
    _build(corpus, tmp_path / "out", "--cluster", two_workers.address, "--no-cache")
    assert _outputs(tmp_path / "out") == _outputs(local)
    assert (tmp_path / "out" / "graph.ttl").read_bytes().count(b"a kg:Article") == 60


def test_each_worker_loads_the_pipeline_once(corpus, two_workers, tmp_path):
    kg.build([corpus], tmp_path / "out", cluster=two_workers.address, cache=False)

    def loads() -> tuple[int, int, int]:
        from kg import analyse, ontology
        from kg.extract import model

        return (
            ontology._load.cache_info().misses,
            analyse.pipeline.cache_info().misses,
            model._load.cache_info().misses,
        )

    per_worker = two_workers.client.run(loads)
    assert len(per_worker) == 2
    for ontologies, pipelines, extractors in per_worker.values():
        assert ontologies <= 1 and pipelines <= 2 and extractors <= 2  # a pipeline a language; extractor and its typer


def test_only_changed_articles_are_sent(corpus, two_workers, tmp_path, monkeypatch):
    articles = tmp_path / "articles"
    import shutil

    shutil.copytree(corpus, articles)
    sent: list[str] = []
    submit = kg_cluster._submit

    def counting(client, job, items):
        sent.extend(article.id for article, _ in items)
        return submit(client, job, items)

    monkeypatch.setattr(kg_cluster, "_submit", counting)
    out = tmp_path / "out"
    kg.build([articles], out, cluster=two_workers.address)
    assert len(sent) == 60
    changed = sorted(articles.rglob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nNVIDIA and AMD announced a partnership.\n")
    sent.clear()
    kg.build([articles], out, cluster=two_workers.address)
    assert sent == [changed.relative_to(articles).as_posix()]
    sent.clear()
    kg.build([articles], out, cluster=two_workers.address)  # nothing changed: nothing sent
    assert sent == []
    kg.build([articles], tmp_path / "scratch", cache=False)
    assert _outputs(out) == _outputs(tmp_path / "scratch")


def test_workers_that_cannot_see_the_cache_send_the_entries_back(corpus, two_workers, tmp_path, monkeypatch):
    @contextlib.contextmanager
    def elsewhere(cache):
        yield kg_cluster.SharedCache(cache, "not-the-token")

    monkeypatch.setattr(kg_cluster, "_shared", elsewhere)  # as if the workers ran on other machines
    out = tmp_path / "out"
    kg.build([corpus], out, cluster=two_workers.address)
    assert len(list((out / "cache").rglob("*.json"))) == 60  # written by the building process
    monkeypatch.setattr(kg_cluster, "_submit", lambda *args: pytest.fail("a cached article was sent"))
    kg.build([corpus], out, cluster=two_workers.address)


def test_a_worker_writes_the_cache_only_where_it_sees_the_build_s_folder(corpus, tmp_path):
    from kg.cache import ArticleCache
    from kg.read import read_articles

    article = next(a for a in read_articles([corpus]) if hasattr(a, "text"))
    cache = ArticleCache(tmp_path, "salt")
    key = cache.key(article)
    settings = ((), "auto")
    print_ = kg_cluster.fingerprint(settings)
    with kg_cluster._shared(cache) as shared:
        assert (cache.root / kg_cluster.TOKEN_FILE).read_text() == shared.token
        stranger = kg_cluster.SharedCache(cache, "another build's token")
        written, records = kg_cluster.run_batch(kg_cluster.Job(settings, print_, stranger), [(article, key)])
        assert not written and cache.get(key) is None and len(records) == 1
        written, records = kg_cluster.run_batch(kg_cluster.Job(settings, print_, shared), [(article, key)])
        assert written and cache.get(key) is not None
    assert not (cache.root / kg_cluster.TOKEN_FILE).exists()


def test_settings_name_the_same_files_on_a_worker_elsewhere(tmp_path, monkeypatch):
    mine = tmp_path / "mine.ttl"
    mine.write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    shipped = str(Path(kg.__file__).resolve().parent / "ontologies")
    moved = kg_cluster.portable((("mine.ttl",), "auto", shipped))
    assert moved == ((kg_cluster._Local(str(mine.resolve())),), "auto", kg_cluster._InKg("ontologies"))
    assert kg_cluster.on_worker(moved) == ((str(mine.resolve()),), "auto", shipped)
    mine.unlink()
    with pytest.raises(FileNotFoundError, match="same path on every worker"):
        kg_cluster.on_worker(moved)


def test_a_worker_that_would_give_other_results_stops_the_build(corpus, two_workers, tmp_path, monkeypatch):
    monkeypatch.setattr(kg_cluster, "fingerprint", lambda settings: "0" * 64)  # as if this kg were another
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out), "--cluster", two_workers.address])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: the Dask cluster at {two_workers.address} failed: RuntimeError: worker ")
    assert "install the same versions on every machine" in result.output and result.output.count("\n") == 1
    assert not (out / "graph.ttl").exists()


def test_a_killed_worker_costs_a_retry_not_the_build(tmp_path, corpus, local):
    with _start_cluster(tmp_path / "dask") as cluster:
        pids = cluster.worker_pids()
        build = subprocess.Popen(
            [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(tmp_path / "out"), "-q", "--no-cache"]
            + ["--cluster", cluster.address],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            busy: list[str] = []

            def a_worker_is_busy() -> bool:
                busy[:] = [w for w, tasks in cluster.client.processing().items() if tasks]
                return bool(busy) or build.poll() is not None

            _wait(a_worker_is_busy, "a batch on a worker")
            assert busy, "the build ended before any batch reached a worker"
            os.kill(pids[busy[0]], signal.SIGKILL)  # the worker process itself, mid-batch
            _, stderr = build.communicate(timeout=300)
        finally:
            if build.poll() is None:
                build.kill()
                build.wait()
        assert build.returncode == 0, stderr
        assert "skipped" not in stderr
        assert _outputs(tmp_path / "out") == _outputs(local)
        assert busy[0] not in cluster.worker_pids() or cluster.worker_pids()[busy[0]] != pids[busy[0]]


def test_a_lost_scheduler_is_a_one_line_error_and_the_outputs_stay(tmp_path, corpus, local):
    out = tmp_path / "out"
    import shutil

    shutil.copytree(local, out)
    before = _outputs(out)
    with _start_cluster(tmp_path / "dask", workers=1) as cluster:
        build = subprocess.Popen(
            [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), "--no-cache"]
            + ["--cluster", cluster.address],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait(lambda: any(cluster.client.processing().values()) or build.poll() is not None, "a batch")
            assert build.poll() is None, "the build ended before the scheduler could be stopped"
            cluster.processes[0].kill()  # the scheduler
            _, stderr = build.communicate(timeout=120)
        finally:
            if build.poll() is None:
                build.kill()
                build.wait()
    assert build.returncode == 1
    assert stderr.strip().splitlines() == [f"Error: lost the Dask scheduler at {cluster.address}"], stderr
    assert _outputs(out) == before


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_scheduler_is_a_one_line_error(corpus, local, tmp_path):
    pytest.importorskip("distributed", reason="the cluster extra (pip install 'kg[cluster]') is missing")
    out = tmp_path / "out"
    import shutil

    shutil.copytree(local, out)
    before = _outputs(out)
    store = sorted((p.relative_to(out), p.read_bytes()) for p in (out / "store").rglob("*") if p.is_file())
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    address = f"127.0.0.1:{_free_port()}"
    proc = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), "--cluster", address],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot reach the Dask scheduler at {address}"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert _outputs(out) == before
    assert sorted((p.relative_to(out), p.read_bytes()) for p in (out / "store").rglob("*") if p.is_file()) == store


def test_a_malformed_address_is_a_one_line_error(corpus, tmp_path):
    pytest.importorskip("distributed", reason="the cluster extra (pip install 'kg[cluster]') is missing")
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "o"), "--cluster", "nowhere:port"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach the Dask scheduler at nowhere:port")
    assert not (tmp_path / "o" / "graph.ttl").exists()


def test_without_dask_the_cluster_is_a_clear_error(corpus, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    with pytest.raises(ClusterError, match=r"pip install 'kg\[cluster\]'"):
        kg.build([corpus], tmp_path / "out", cluster="127.0.0.1:8786")
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_jobs_and_cluster_exclude_each_other(corpus, tmp_path):
    with pytest.raises(InputError, match="exclude each other"):
        kg.build([corpus], tmp_path / "out", cluster="127.0.0.1:8786", jobs=2)
    result = CliRunner().invoke(
        cli, ["build", str(corpus), "--out", str(tmp_path / "o"), "--jobs", "2", "--cluster", "127.0.0.1:8786"]
    )
    assert result.exit_code == 1 and result.output.startswith("Error: ")
