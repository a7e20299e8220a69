"""Do readers ever see a half-switched graph? Push two versions of a graph in turn while readers count it.

    python benchmarks/readers.py --endpoint http://127.0.0.1:7878/query --articles 1000

Builds a generated corpus twice (all its articles, then nine in ten of them), pushes the versions
in turn (full pushes, then incremental ones) to one graph, while a reader thread counts the
graph's triples without pause. Every count must be one of the two versions' counts; any other is
a reader seeing a switch half-done. Prints what was seen.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import uuid
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import corpus as corpus_module  # noqa: E402

import kg  # noqa: E402
from kg.errors import KGError  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3, help="pushes of each kind and version")
    parser.add_argument("--user")
    parser.add_argument("--password-env")
    args = parser.parse_args()
    auth = {"user": args.user, "password_env": args.password_env}
    work = Path(tempfile.mkdtemp(prefix="kg-readers-"))
    graph = f"urn:kg:readers:{uuid.uuid4().hex[:12]}"
    try:
        corpus = corpus_module.generate(work / "corpus", args.articles)
        outs = [work / "whole", work / "most"]
        kg.build([corpus], outs[0])
        files = sorted(p for p in corpus.rglob("*") if p.is_file())
        for path in files[::10]:
            path.unlink()
        kg.build([corpus], outs[1])
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        expected = {int(kg.query(count, out, timeout=None).rows[0][0]): out.name for out in outs}

        kg.push(outs[0], args.endpoint, graph=graph, **auth)
        seen: Counter[int] = Counter()
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                try:
                    rows = kg.query(count, outs[0], endpoint=args.endpoint, graph=graph, timeout=120, **auth).rows
                    seen[int(rows[0][0])] += 1
                except KGError as exc:
                    seen[-1] += 1
                    print("reader:", exc, file=sys.stderr)

        reader = threading.Thread(target=read)
        reader.start()
        modes: Counter[str] = Counter()
        try:
            for full in (True, False):
                for _ in range(args.rounds):
                    for out in (outs[1], outs[0]):
                        # each push's record is its own folder's: incremental pushes alternate folders,
                        # so copy the other's record of what the server holds
                        report = kg.push(out, args.endpoint, graph=graph, full=full, **auth)
                        modes[report.mode] += 1
                        _share_record(out, outs)
        finally:
            stop.set()
            reader.join()
        print(f"pushes: {dict(modes)}; versions: {expected}", flush=True)
        print(f"counts seen by the reader: {dict(seen)}")
        torn = {n: k for n, k in seen.items() if n not in expected}
        print("torn reads: " + (str(torn) if torn else "none"), flush=True)
        drop = f"DROP SILENT GRAPH <{graph}> ; DROP SILENT GRAPH <{graph}#push>"
        kg.query(drop, outs[0], endpoint=args.endpoint, allow_update=True, timeout=3600, **auth)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _share_record(pushed: Path, outs: list[Path]) -> None:
    """Give every output folder the record of the push just made, so the next push of another
    folder knows what the server holds (and can push only the difference)."""
    for out in outs:
        if out != pushed:
            shutil.rmtree(out / ".kg-push", ignore_errors=True)
            shutil.copytree(pushed / ".kg-push", out / ".kg-push")


if __name__ == "__main__":
    main()
