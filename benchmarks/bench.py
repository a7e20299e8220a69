"""Benchmark `kg build` and `kg query` on a generated corpus, against spaCy's bare tokenizer and rdflib.

    python benchmarks/bench.py --articles 1000          # 1k, 10k or 100k
    python benchmarks/bench.py --articles 10000 --work /tmp/kg-bench
    python benchmarks/bench.py --pathological 20000     # words/s of each pathological shape, next to news
    python benchmarks/bench.py --articles 10000 --cluster     # also on a Dask cluster of 1 and 2 workers

Prints one markdown table of everything measured in this run (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpus as corpus_module  # noqa: E402

STAGE_SAMPLE = 1000  # articles timed stage by stage in this process

QUERIES = {
    "2-hop join + FILTER + ORDER BY": """
        SELECT ?org ?model ?hw ?label WHERE {
          ?model kg:developedBy ?org . ?model kg:trainedOn ?hw . ?org rdfs:label ?label
          FILTER(STRSTARTS(STR(?label), "A") || STRSTARTS(STR(?label), "N"))
        } ORDER BY ?label ?model ?hw LIMIT 100""",
    "investments with evidence > $1B": """
        SELECT ?s ?o ?amount ?evidence WHERE {
          ?a a kg:Assertion ; rdf:subject ?s ; rdf:predicate kg:investsIn ; rdf:object ?o ;
             kg:amount ?amount ; kg:evidence ?evidence
          FILTER(?amount > 1000000000)
        } ORDER BY DESC(?amount) ?evidence LIMIT 20""",
    "most mentioned (GROUP BY)": """
        SELECT ?e (COUNT(?article) AS ?n) WHERE { ?article kg:mentions ?e }
        GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 10""",
    "competitors of NVIDIA": """
        SELECT ?c ?label WHERE {
          <https://w3id.org/kg/entity/nvidia> kg:competesWith ?c . ?c rdfs:label ?label
        }
        ORDER BY ?label""",
    "articles mentioning two entities": """
        SELECT ?article ?title WHERE {
          ?article kg:mentions <https://w3id.org/kg/entity/nvidia>, <https://w3id.org/kg/entity/openai> ;
                   dcterms:title ?title
        } ORDER BY ?title LIMIT 50""",
}
PREFIXES = """PREFIX kg: <https://w3id.org/kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# Run in a fresh interpreter per build, so each build pays its own start-up and its peak RSS is its own.
BUILD_SNIPPET = """
import json, sys, kg
extractor = sys.argv[5] if len(sys.argv) > 5 else "default"
cluster = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] else None
report = kg.build(
    [sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]), cache=sys.argv[4] == "1", extractor=extractor, cluster=cluster
)
in_place = any("updated in place" in note for note in report.notes)
out = {"seconds": report.seconds, "articles": report.articles, "triples": report.triples, "in_place": in_place}
print(json.dumps(out))
"""


def machine() -> str:
    import spacy

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "?"
    mem = "?"
    try:
        lines = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(x for x in lines if x.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem} RAM, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, spaCy {spacy.__version__}"
    )


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run_build(corpus: Path, out: Path, jobs: int, cache: bool, extractor: str = "default", cluster: str = "") -> dict:
    """One build in a child process: its report, wall time and peak RSS (the process tree's, sampled)."""
    import resource

    cmd = [sys.executable, "-c", BUILD_SNIPPET, str(corpus), str(out), str(jobs), "1" if cache else "0", extractor]
    cmd.append(cluster)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    peak_tree = 0
    try:
        import psutil

        parent = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                children = parent.children(recursive=True)
                total = parent.memory_info().rss + sum(c.memory_info().rss for c in children)
                peak_tree = max(peak_tree, total)
            except psutil.Error:
                pass
            time.sleep(0.05)
    except ImportError:
        pass
    stdout, _ = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"build failed ({proc.returncode}): {' '.join(cmd)}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["wall"] = wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_build"] = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime  # with its own workers

    own_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # largest child so far
    result["peak_rss"] = max(peak_tree, own_peak if jobs == 1 else 0)
    return result


class DaskCluster:
    """A Dask scheduler and `workers` one-thread workers on 127.0.0.1, each a process, for the cluster builds."""

    def __init__(self, work: Path, workers: int):
        self.folder = work / f"dask-{workers}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.workers = workers
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> str:
        from distributed import Client

        sched = self.folder / "scheduler.json"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        base = [sys.executable, "-m"]
        self.processes.append(
            subprocess.Popen(
                [*base, "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
                + ["--scheduler-file", str(sched)],
                **quiet,
            )
        )
        deadline = time.monotonic() + 60
        while not sched.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        for i in range(self.workers):
            self.processes.append(
                subprocess.Popen(
                    [*base, "distributed.cli.dask_worker", "--scheduler-file", str(sched), "--nthreads", "1"]
                    + ["--no-dashboard", "--name", f"w{i + 1}", "--local-directory", str(self.folder)],
                    **quiet,
                )
            )
        with Client(scheduler_file=str(sched), timeout="30s") as client:
            client.wait_for_workers(self.workers, timeout=120)
            return client.scheduler.address

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time so far of the scheduler and of the workers (with their nannies), from /proc."""
        import psutil

        def tree(pid: int) -> float:
            try:
                process = psutil.Process(pid)
                return sum(sum(p.cpu_times()[:2]) for p in [process, *process.children(recursive=True)])
            except psutil.Error:
                return 0.0

        return {"scheduler": tree(self.processes[0].pid), "workers": sum(tree(p.pid) for p in self.processes[1:])}

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self.processes):
            proc.terminate()
        for proc in reversed(self.processes):
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


def ceiling(articles: list) -> float:
    """Seconds spaCy's blank(lang) + sentencizer take over the same documents (pipelines built beforehand)."""
    import spacy

    nlps = {}
    for lang in ("en", "pt"):
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
        nlps[lang] = nlp
    started = time.perf_counter()
    for article in articles:
        doc = nlps["pt" if article.lang == "pt" else "en"](article.document)
        for _ in doc.sents:
            pass
    return time.perf_counter() - started


def stages(articles: list) -> dict[str, float]:
    """Seconds per stage of the per-article work, one process, on a sample of articles."""
    from kg import extract, link
    from kg.analyse import analyse
    from kg.extract import patterns
    from kg.extract.decide import analysed, decide
    from kg.ontology import load
    from kg.read import pipeline_language

    kb = load()
    folder = extract.resolve_extractor("default")
    typer = extract.typer_of(folder)
    model = extract.load_extractor(folder)
    for lang in ("en", "pt"):  # build the pipelines outside the timings
        analyse("Warm up.", lang, typer=typer)
    out = {
        "analyse (spaCy + gazetteer + names)": 0.0,
        "link": 0.0,
        "extract: patterns": 0.0,
        "extract: candidates + features": 0.0,
        "extract: model": 0.0,
    }
    for article in articles:
        lang = pipeline_language(article.lang) or "en"
        t0 = time.perf_counter()
        doc = analyse(article.document, lang, typer=typer)
        t1 = time.perf_counter()
        mentions = link.mentions(doc, kb)
        t2 = time.perf_counter()
        patterns.facts(doc, mentions, kb, lang, article.id, article.published)
        t3 = time.perf_counter()
        result = analysed(doc, mentions, kb, lang, article.id, article.published)  # the patterns run again inside
        t4 = time.perf_counter()
        decide(doc, result, model, kb, article.id, article.published)
        t5 = time.perf_counter()
        out["analyse (spaCy + gazetteer + names)"] += t1 - t0
        out["link"] += t2 - t1
        out["extract: patterns"] += t3 - t2
        out["extract: candidates + features"] += max(0.0, (t4 - t3) - (t3 - t2))
        out["extract: model"] += t5 - t4
    return out


def query_times(out: Path, repeat: int) -> list[tuple[str, float, float, int]]:
    """(name, kg query warm median seconds, rdflib in-memory seconds, rows) per query."""
    from rdflib import Graph

    import kg

    rows = []
    kg_times = {}
    for name, text in QUERIES.items():
        kg.query(text, out, timeout=None)  # warm: store opened once, OS cache filled
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            result = kg.query(text, out, timeout=None)
            times.append(time.perf_counter() - t)
        kg_times[name] = (statistics.median(times), len(result.rows))
    t = time.perf_counter()
    graph = Graph()
    graph.parse(out / "graph.ttl", format="turtle")
    parse = time.perf_counter() - t
    for name, text in QUERIES.items():
        t = time.perf_counter()
        list(graph.query(PREFIXES + text))
        rows.append((name, kg_times[name][0], time.perf_counter() - t, kg_times[name][1]))
    rows.append(("(rdflib: parse graph.ttl into memory)", 0.0, parse, len(graph)))
    return rows


def build_rows(
    n: int, words: int, bare: float, one: dict, many: dict, jobs: int, identical: bool, on_cluster: dict
) -> list[tuple[str, str, str]]:
    """The table's first rows: the ceiling, one process, `--jobs`, and the cluster builds if any."""
    full = one["wall"]
    rows = [
        ("articles / words", f"{n} / {words}", ""),
        ("spaCy blank(lang) + sentencizer (ceiling)", f"{words / bare:,.0f} words/s", f"{n / bare:,.0f} articles/s"),
    ]
    ratio_one = (words / full) / (words / bare)
    rows.append(
        (
            "kg build, 1 process (wall, incl. start-up)",
            f"{words / full:,.0f} words/s",
            f"{n / full:,.1f} articles/s; {ratio_one:.1%} of ceiling (target ≥ 50%); CPU {one['cpu_build']:.1f}s",
        )
    )
    speedup = full / many["wall"]
    rows.append(
        (
            f"kg build --jobs {jobs}",
            f"{words / many['wall']:,.0f} words/s",
            f"{n / many['wall']:,.1f} articles/s; ×{speedup:.2f} vs 1 process (target ≥ 1.7); "
            f"graph.ttl byte-identical: {'yes' if identical else 'NO'}; CPU {many['cpu_build']:.1f}s",
        )
    )
    for workers, result in on_cluster.items():
        rows.append(
            (
                f"kg build --cluster, {workers} Dask worker{'s' if workers > 1 else ''}",
                f"{words / result['wall']:,.0f} words/s",
                f"{n / result['wall']:,.1f} articles/s; ×{full / result['wall']:.2f} vs 1 process"
                + (" (target ≥ 1.6)" if workers == 2 else "")
                + f"; graph.ttl byte-identical: {'yes' if result['identical'] else 'NO'}; "
                + ", ".join(f"{k} {v:.2f}s" for k, v in result["seconds"].items() if k != "total")
                + f"; CPU: build {result['cpu_build']:.1f}s, "
                + ", ".join(f"{k} {v:.1f}s" for k, v in result["cpu"].items()),
            )
        )
    return rows


def print_rows(rows: list[tuple[str, str, str]]) -> None:
    print(f"\nMachine: {machine()}\n")
    print("| measure | value | notes |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="corpus size (1000, 10000, 100000)")
    parser.add_argument("--jobs", type=int, default=2, help="processes of the parallel build")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query for the median")
    parser.add_argument("--no-rdflib", action="store_true", help="skip the rdflib comparison")
    parser.add_argument("--pathological", type=int, metavar="WORDS", help="only time the pathological corpus")
    parser.add_argument(
        "--cluster", action="store_true", help="also build on a Dask cluster of 1 and 2 workers on 127.0.0.1"
    )
    parser.add_argument(
        "--builds-only", action="store_true", help="only the full builds: no rebuilds, no queries, no stages"
    )
    args = parser.parse_args()
    if args.pathological:
        import pathological

        print(pathological.table(args.pathological))
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / f"corpus-{args.articles}"
    if corpus.exists():
        shutil.rmtree(corpus)
    for out in work.glob("out-*"):
        shutil.rmtree(out)
    log(f"generating {args.articles} articles in {corpus}")
    corpus_module.generate(corpus, args.articles)

    from kg.read import read_articles
    from kg.records import Article

    articles = [a for a in read_articles([corpus]) if isinstance(a, Article)]
    words = sum(len(a.document.split()) for a in articles)
    n = len(articles)
    log(f"{n} articles, {words} words; timing spaCy's bare pipeline")
    bare = ceiling(articles)
    sample = articles[: 0 if args.builds_only else STAGE_SAMPLE]
    stage_seconds = stages(sample) if sample else {}
    sample_words = sum(len(a.document.split()) for a in sample)
    del articles

    log("kg build, one process, the patterns alone (--extractor none)")
    rules_only = run_build(corpus, work / "out-rules", 1, cache=True, extractor="none")
    log("kg build, one process")
    one = run_build(corpus, work / "out-1", 1, cache=True)
    log(f"kg build --jobs {args.jobs}")
    many = run_build(corpus, work / f"out-{args.jobs}", args.jobs, cache=True)
    identical = (work / "out-1" / "graph.ttl").read_bytes() == (work / f"out-{args.jobs}" / "graph.ttl").read_bytes()
    on_cluster = {}
    for workers in (1, 2) if args.cluster else ():
        with (dask := DaskCluster(work, workers)) as address:
            log(f"kg build --cluster, {workers} worker(s)")
            idle = dask.cpu_seconds()
            on_cluster[workers] = run_build(corpus, work / f"out-cluster-{workers}", 1, cache=True, cluster=address)
            on_cluster[workers]["cpu"] = {k: v - idle[k] for k, v in dask.cpu_seconds().items()}
        graph = (work / f"out-cluster-{workers}" / "graph.ttl").read_bytes()
        on_cluster[workers]["identical"] = graph == (work / "out-1" / "graph.ttl").read_bytes()
    if args.builds_only:
        print_rows(build_rows(n, words, bare, one, many, args.jobs, identical, on_cluster))
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
        return

    log("incremental rebuilds")
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    changed = [p for p in files if p.suffix == ".txt"][len(files) // 8]  # a plain-text article mid-corpus
    sentence = {"en": "NVIDIA and AMD announced a partnership.", "pt": "A NVIDIA e a AMD anunciaram uma parceria."}
    text = changed.read_text(encoding="utf-8")
    changed.write_text(f"{text}\n{sentence[changed.suffixes[0][1:]]}\n", encoding="utf-8")
    incremental = {"change 1 article": run_build(corpus, work / "out-1", 1, cache=True)}
    corpus_module.write_article(corpus, args.articles, corpus_module.World(corpus_module._names()))
    incremental["add 1 article"] = run_build(corpus, work / "out-1", 1, cache=True)
    files[0].unlink()
    incremental["delete 1 article"] = run_build(corpus, work / "out-1", 1, cache=True)
    unchanged = run_build(corpus, work / "out-1", 1, cache=True)
    log("a build from scratch of the final corpus, to compare with the updated one")
    run_build(corpus, work / "out-scratch", 1, cache=False)
    same_as_scratch = (work / "out-1" / "graph.ttl").read_bytes() == (work / "out-scratch" / "graph.ttl").read_bytes()

    log("queries")
    queries = [] if args.no_rdflib else query_times(work / "out-1", args.repeat)

    out1 = work / "out-1"
    full = one["wall"]
    rows = build_rows(n, words, bare, one, many, args.jobs, identical, on_cluster)
    rows.insert(
        2,
        (
            "kg build --extractor none, 1 process",
            f"{words / rules_only['wall']:,.0f} words/s",
            f"the trained model's build is {rules_only['wall'] / one['wall']:.2f}× its speed",
        ),
    )
    for key in ("read", "cache", "analyse+extract", "graph", "store", "page"):
        if key in one["seconds"]:
            rows.append(
                (
                    f"  stage {key} (1 process)",
                    f"{one['seconds'][key]:.2f} s",
                    f"{one['seconds'][key] / one['seconds']['total']:.0%} of build",
                )
            )
    per_article = sum(stage_seconds.values())
    for key, value in stage_seconds.items():
        rows.append(
            (
                f"  per-article {key}",
                f"{sample_words / value:,.0f} words/s",
                f"{value / per_article:.0%} of analyse+extract ({len(sample)} articles)",
            )
        )
    rows.append(("peak RSS, 1 process", f"{one['peak_rss'] / 2**20:,.0f} MiB", "target < 1.5 GB at 100k"))
    rows.append((f"peak RSS, --jobs {args.jobs} (all processes)", f"{many['peak_rss'] / 2**20:,.0f} MiB", ""))
    rows.append(("triples", f"{one['triples']:,}", ""))
    rows.append(
        (
            "output size",
            f"graph.ttl {size(out1 / 'graph.ttl') / 2**20:,.1f} MiB",
            f"store/ {size(out1 / 'store') / 2**20:,.1f} MiB, "
            f"graph.html {size(out1 / 'graph.html') / 2**20:,.1f} MiB, "
            f"cache/ {size(out1 / 'cache') / 2**20:,.1f} MiB",
        )
    )
    rows.append(("page generation (max_nodes 2000)", f"{one['seconds'].get('page', 0):.2f} s", ""))
    for name, result in [*incremental.items(), ("nothing changed", unchanged)]:
        rows.append(
            (
                f"rebuild after: {name}",
                f"{result['wall']:.2f} s",
                f"{result['wall'] / full:.1%} of full build (target ≤ 5%); "
                + ("graph updated in place; " if result.get("in_place") else "")
                + ", ".join(f"{k} {v:.2f}s" for k, v in result["seconds"].items() if k != "total"),
            )
        )
    rows.append(
        (
            "updated graph.ttl = graph.ttl built from scratch",
            "yes (byte-identical)" if same_as_scratch else "NO",
            "after the change, the addition and the deletion",
        )
    )
    for name, kg_s, rdflib_s, count in queries:
        if kg_s:
            rows.append(
                (
                    f"query: {name}",
                    f"{kg_s * 1000:,.1f} ms (kg, warm)",
                    f"rdflib in-memory {rdflib_s * 1000:,.0f} ms: ×{rdflib_s / kg_s:,.0f}; {count} rows",
                )
            )
        else:
            rows.append((name, f"{rdflib_s:.1f} s", f"{count:,} triples"))

    print_rows(rows)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
