"""Benchmark `kg push`: a full push of a generated corpus, then pushes after changing one article.

    python benchmarks/push.py --articles 10000 --endpoint http://127.0.0.1:7878/query
    python benchmarks/push.py --articles 10000 --endpoint http://127.0.0.1:8890/sparql-auth \\
        --user dba --password-env KG_PASSWORD

The server is any SPARQL 1.1 server `kg push` can reach (`.ci/servers.sh start` runs Virtuoso and
Oxigraph's server on 127.0.0.1). Each push goes to a graph of its own name; after the last push
the pushed graph's triples are compared with the local ones. Prints one markdown table.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpus as corpus_module  # noqa: E402

import kg  # noqa: E402


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="corpus size")
    parser.add_argument("--endpoint", required=True, help="SPARQL endpoint of the server")
    parser.add_argument("--user")
    parser.add_argument("--password-env")
    parser.add_argument("--work", type=Path, help="working folder (kept; default: a temporary one, removed)")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("kg.remote").setLevel(logging.DEBUG)  # each request's time, on stderr

    work = args.work or Path(tempfile.mkdtemp(prefix="kg-push-bench-"))
    corpus, out = work / "corpus", work / "out"
    auth = {"user": args.user, "password_env": args.password_env}
    graph = f"urn:kg:bench:{uuid.uuid4().hex[:12]}"
    try:
        if not corpus.is_dir():
            log(f"generating {args.articles} articles")
            corpus_module.generate(corpus, args.articles)
        log("kg build")
        kg.build([corpus], out)
        log("full push")
        rows = [("full push", kg.push(out, args.endpoint, graph=graph, **auth))]
        log("nothing changed")
        rows.append(("push, nothing changed", kg.push(out, args.endpoint, graph=graph, **auth)))

        files = sorted(p for p in corpus.rglob("*") if p.is_file())
        changed = [p for p in files if p.suffix == ".txt"][len(files) // 8]
        sentence = {"en": "NVIDIA and AMD announced a partnership.", "pt": "A NVIDIA e a AMD anunciaram uma parceria."}
        text = changed.read_text(encoding="utf-8")
        changed.write_text(f"{text}\n{sentence[changed.suffixes[0][1:]]}\n", encoding="utf-8")
        t = time.perf_counter()
        kg.build([corpus], out)
        rebuild = time.perf_counter() - t
        log("push after changing 1 article")
        rows.append(("push after changing 1 article", kg.push(out, args.endpoint, graph=graph, **auth)))
        files[0].unlink()
        kg.build([corpus], out)
        log("push after deleting 1 article")
        rows.append(("push after deleting 1 article", kg.push(out, args.endpoint, graph=graph, **auth)))

        log("checking the pushed graph")
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        remote = kg.query(count, out, endpoint=args.endpoint, graph=graph, timeout=600, **auth).rows[0][0]
        local = kg.query(count, out, timeout=600).rows[0][0]
        kg.query(
            f"DROP SILENT GRAPH <{graph}> ; DROP SILENT GRAPH <{graph}#push>",
            out,
            endpoint=args.endpoint,
            allow_update=True,
            timeout=600,
            **auth,
        )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)

    full = rows[0][1]
    print(f"\n{args.articles:,} articles, {full.triples:,} triples, server {full.endpoint}\n")
    print("| push | mode | triples sent (+/−) | bytes sent | requests | time | vs full push |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, r in rows:
        share = f"{r.seconds / full.seconds:.2%} of the time, {r.bytes_sent / full.bytes_sent:.4%} of the bytes"
        print(
            f"| {name} | {r.mode} | +{r.added:,} −{r.removed:,} | {r.bytes_sent:,} | {r.requests} "
            f"| {r.seconds:.2f} s | {share} |"
        )
    print(f"\nrebuild after the change: {rebuild:.1f} s; triples on the server {remote}, in the local store {local}")


if __name__ == "__main__":
    main()
