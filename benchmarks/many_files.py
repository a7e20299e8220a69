"""Build a graph from many tiny files and print how long it took, what was skipped and the peak memory.

    python benchmarks/many_files.py                 # 100,000 files in a temporary folder
    python benchmarks/many_files.py 20000 --jobs 0  # fewer files, one analysing process per core

Each file holds one or two sentences naming companies of the knowledge base; one file in a
hundred is empty and is skipped, as a real archive has a few. The folder and the output are
deleted afterwards unless --keep is given. Not part of the test suite (tests/test_reliability.py
builds 5,000 files).
"""

from __future__ import annotations

import argparse
import inspect
import logging
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

COMPANIES = [
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
EN = [
    "{a} competes with {b} in cloud services.",
    "{a} invested ${n} million in {b}.",
    "{a} announced a partnership with {b}.",
]
PT = [
    "A {a} concorre com a {b} em serviços de nuvem.",
    "A {a} investiu {n} milhões de dólares na {b}.",
    "A {a} anunciou uma parceria com a {b}.",
]


def generate(folder: Path, count: int) -> None:
    """`count` tiny articles in sub-folders of 1,000 files, alternating English and Portuguese."""
    for i in range(count):
        sub = folder / f"{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        if i % 100 == 99:
            text = ""
        else:
            templates = EN if i % 2 == 0 else PT
            a, b = COMPANIES[i % len(COMPANIES)], COMPANIES[(7 * i + 3) % len(COMPANIES)]
            if a == b:
                b = COMPANIES[(i + 1) % len(COMPANIES)]
            text = templates[i % len(templates)].format(a=a, b=b, n=i % 900 + 10) + "\n"
        (sub / f"n{i:06d}.txt").write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000, help="number of files (100,000)")
    parser.add_argument("--jobs", type=int, default=1, help="analysing processes, if kg.build takes them")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder and the output")
    args = parser.parse_args()

    import kg
    from kg.pipeline import build

    logging.getLogger("kg").setLevel(logging.ERROR)  # one line per skipped file otherwise

    base = Path(tempfile.mkdtemp(prefix="kg-many-files-"))
    folder, out = base / "articles", base / "out"
    try:
        started = time.perf_counter()
        generate(folder, args.count)
        print(f"generated {args.count:,} files in {time.perf_counter() - started:.1f}s under {folder}")

        options = {"jobs": args.jobs} if "jobs" in inspect.signature(build).parameters else {}
        started = time.perf_counter()
        report = kg.build([folder], out, **options)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_mib = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
        reasons = sorted({s.reason for s in report.skipped})
        print(
            f"built {report.articles:,} articles ({report.facts:,} facts, {report.triples:,} triples) "
            f"in {elapsed:.1f}s: {args.count / elapsed:,.0f} files/s"
        )
        print(f"skipped {len(report.skipped):,} ({', '.join(reasons) or 'none'})")
        print("stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items()))
        print(f"peak memory {peak_mib:,.0f} MiB")
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
