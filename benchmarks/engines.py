"""What a distributed engine costs `kg build --cluster`: Dask distributed against Ray, on loopback.

    python benchmarks/engines.py --engine dask --articles 2000
    python benchmarks/engines.py --engine ray --articles 2000     # in an environment with ray

Starts a scheduler (Dask) or a head node (Ray) and two one-thread workers as separate processes on
127.0.0.1, then times, on the generated corpus: the start-up until the workers are ready; a
round trip of an empty task; batches of articles sent to a task that returns records of the size
of real results (the scheduling and transfer cost of a batch); and the real per-article work
(`kg.pipeline._work`) on the two workers against the same batches in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpus as corpus_module  # noqa: E402

BIN = Path(sys.executable).parent


def _echo(batch):
    """Articles in, one record of a result's size out per article, no analysis."""
    _settings, _cache, items = batch
    return [
        [[a.id, a.path, a.title, a.lang, "", "", ""], [[0, 1, "x" * 12, "ORG", "k", "kb", 0]] * 25, [], []]
        for a, _ in items
    ]


def _noop(x):
    return x


def _sleep(seconds):
    time.sleep(seconds)


def _start_dask(work: Path, workers: int):
    sched_file = work / "scheduler.json"
    procs = [
        subprocess.Popen(
            [
                BIN / "dask",
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                sched_file,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    while not sched_file.exists():
        time.sleep(0.05)
    for i in range(workers):
        procs.append(
            subprocess.Popen(
                [
                    BIN / "dask",
                    "worker",
                    "--scheduler-file",
                    sched_file,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--name",
                    f"w{i}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    from distributed import Client

    client = Client(scheduler_file=str(sched_file))
    client.wait_for_workers(workers, timeout=120)

    def submit(fn, arg):
        return client.submit(fn, arg, pure=False)

    def get(handle):
        return handle.result()

    def stop():
        client.close()
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(30)

    return submit, get, stop


def _start_ray(work: Path, workers: int):
    ray_bin = BIN / "ray"
    port = "6391"
    subprocess.run(
        [
            ray_bin,
            "start",
            "--head",
            "--node-ip-address",
            "127.0.0.1",
            "--port",
            port,
            f"--num-cpus={workers}",
            "--include-dashboard=false",
            "--disable-usage-stats",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import ray

    ray.init(address=f"127.0.0.1:{port}", logging_level="ERROR")
    remotes = {}

    def submit(fn, arg):
        if fn not in remotes:
            remotes[fn] = ray.remote(num_cpus=1)(fn)
        return remotes[fn].remote(arg)

    def get(handle):
        return ray.get(handle)

    # Ray starts its worker processes on demand: make both exist before timing
    get(submit(_noop, 0))
    [get(h) for h in [submit(_sleep, 0.5) for _ in range(workers)]]

    def stop():
        ray.shutdown()
        subprocess.run([ray_bin, "stop", "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return submit, get, stop


def _engine_rss(engine: str) -> int:
    """Resident memory of the engine's processes on this machine (its scheduler, workers, daemons)."""
    marks = {"dask": ("dask scheduler", "dask worker", "distributed.cli"), "ray": ("ray", "gcs_server", "raylet")}[
        engine
    ]
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if int(pid) == os.getpid() or not any(m in cmdline for m in marks):
                continue
            if engine == "dask" and str(BIN) not in cmdline:
                continue
            if engine == "ray" and "ray" not in cmdline.split(" ", 1)[0] and str(BIN) not in cmdline:
                continue
            status = Path(f"/proc/{pid}/status").read_text()
        except (OSError, ValueError):
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def _pipelined(submit, get, fn, batches, in_flight: int) -> float:
    from collections import deque

    started = time.perf_counter()
    pending: deque = deque()
    for batch in batches:
        pending.append(submit(fn, batch))
        while len(pending) >= in_flight:
            get(pending.popleft())
    while pending:
        get(pending.popleft())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("dask", "ray"), required=True)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from kg.pipeline import _work
    from kg.read import read_articles
    from kg.records import Article

    work = Path(tempfile.mkdtemp(prefix="kg-engines-"))
    try:
        folder = corpus_module.generate(work / "articles", args.articles)
        articles = [a for a in read_articles([folder]) if isinstance(a, Article)]
        words = sum(len(a.document.split()) for a in articles)
        settings = ((), "auto")
        batches = [
            (settings, None, [(a, "") for a in articles[i : i + args.batch]])
            for i in range(0, len(articles), args.batch)
        ]
        _work(batches[0])  # this process's pipelines loaded before timing
        t = time.perf_counter()
        for batch in batches:
            _work(batch)
        local = time.perf_counter() - t

        t = time.perf_counter()
        submit, get, stop = (_start_dask if args.engine == "dask" else _start_ray)(work, args.workers)
        startup = time.perf_counter() - t
        idle_rss = _engine_rss(args.engine)
        try:
            get(submit(_noop, 0))
            t = time.perf_counter()
            for _ in range(100):
                get(submit(_noop, 0))
            round_trip = (time.perf_counter() - t) / 100
            in_flight = 3 * args.workers
            echo = _pipelined(submit, get, _echo, batches, in_flight) / len(batches)
            [get(submit(_work, b)) for b in batches[: args.workers * 2]]  # the workers' pipelines loaded
            real = _pipelined(submit, get, _work, batches, in_flight)
        finally:
            stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "engine": args.engine,
        "articles": len(articles),
        "words": words,
        "batch": args.batch,
        "batches": len(batches),
        "startup_s": round(startup, 2),
        "idle_cluster_rss_mib": round(idle_rss / 2**20),
        "empty_round_trip_ms": round(round_trip * 1000, 2),
        "batch_overhead_ms": round(echo * 1000, 2),
        "local_batch_ms": round(local / len(batches) * 1000, 1),
        "local_words_per_s": round(words / local),
        f"{args.workers}_workers_words_per_s": round(words / real),
        "speedup": round(local / real, 2),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
