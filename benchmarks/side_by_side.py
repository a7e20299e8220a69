"""`kg build` of this tree against an earlier commit, run side by side on the same corpus.

    python benchmarks/side_by_side.py --baseline e9eec20              # 400 articles, 3 rounds
    python benchmarks/side_by_side.py --baseline v0.3 --articles 1000 --rounds 2

The baseline commit is checked out into a temporary folder (`git worktree`), and both trees are
built alternately, each in a fresh interpreter with the same installed dependencies, one process,
no cache, start-up included: machines are noisy, so only the ratio of two runs made next to each
other means anything. It prints the best time of each, the words per second and the ratio, and the
same for a build of one article (the start-up alone).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TREE = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(TREE))

import corpus as corpus_module  # noqa: E402

from kg import read_articles  # noqa: E402


def timed_build(tree: Path, corpus: Path, out: Path) -> float:
    """Seconds of one `kg build` of `corpus` by the `kg` package in `tree`."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(out), "--jobs", "1", "--no-cache", "-q"]
    started = time.perf_counter()
    subprocess.run(cmd, cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True)
    return time.perf_counter() - started


def best_of(trees: dict[str, Path], corpus: Path, work: Path, rounds: int) -> dict[str, float]:
    """The best time of each tree over `rounds` alternating builds."""
    best = {name: float("inf") for name in trees}
    for _ in range(rounds):
        for name, tree in trees.items():
            best[name] = min(best[name], timed_build(tree, corpus, work / f"out-{name}"))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", required=True, help="the commit to compare against (any git revision)")
    parser.add_argument("--articles", type=int, default=400, help="generated articles (default 400)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating builds of each tree (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-side-by-side-") as scratch:
        work = Path(scratch)
        baseline = work / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline], cwd=TREE, check=True)
        try:
            corpus = corpus_module.generate(work / "corpus", args.articles)
            one = work / "one"
            one.mkdir()
            first = sorted(p for p in corpus.rglob("*.txt"))[0]
            shutil.copy(first, one / first.name)
            words = sum(len(a.document.split()) for a in read_articles([corpus]) if hasattr(a, "document"))
            trees = {"baseline": baseline, "this tree": TREE}
            start_up = best_of(trees, one, work, args.rounds)
            full = best_of(trees, corpus, work, args.rounds)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=TREE, check=False)
    heading = f"build ({args.articles} articles, {words:,} words; best of {args.rounds})"
    print(f"| {heading} | seconds | words/s | start-up (1 article) |")
    print("| --- | --- | --- | --- |")
    for name in trees:
        print(f"| {name} | {full[name]:.2f} | {words / full[name]:,.0f} | {start_up[name]:.2f} s |")
    ratio = full["baseline"] / full["this tree"]
    per_article = (full["baseline"] - start_up["baseline"]) / (full["this tree"] - start_up["this tree"])
    print(f"\nthis tree's speed: ×{ratio:.2f} the baseline's (×{per_article:.2f} without the start-up)")


if __name__ == "__main__":
    main()
