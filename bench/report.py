"""The benchmark's table, from locust's CSV files: throughput, latency percentiles, the ratio of
each page's throughput to the constant baseline page's, errors, and the targets.

    python3 bench/report.py bench/results/<run>     # reads <scenario>_stats.csv, <scenario>_failures.csv
"""

import csv
import sys
from pathlib import Path

# scenario (file prefix), the request name in locust, and its targets.
READ_TARGET = {"ratio": 0.3, "p95": 150}
SCENARIOS = [
    ("baseline", "baseline", {}),
    # No target: what a login costs every page below (session and user read on each request).
    ("baseline_logged_in", "baseline, logged in", {}),
    ("day_board", "day board", READ_TARGET),
    ("patient_search", "patient search", READ_TARGET),
    ("patient_chart", "patient chart", READ_TARGET),
    ("portal_home", "portal home", READ_TARGET),
    # Its own target: a response within 200 ms (bench/pages.txt has the time of one request alone).
    ("availability", "availability 4 weeks", {"p95": 200}),
    ("booking", "booking", {"ratio": 0.2}),
]


def read_stats(folder: Path, prefix: str, name: str) -> dict | None:
    path = folder / f"{prefix}_stats.csv"
    if not path.exists():
        return None
    with path.open(newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    row = rows.get(name)
    if row is None:
        return None
    failures = 0
    failures_path = folder / f"{prefix}_failures.csv"
    if failures_path.exists():
        with failures_path.open(newline="") as handle:
            failures = sum(int(r["Occurrences"]) for r in csv.DictReader(handle))
    return {
        "requests": int(row["Request Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "errors": max(int(row["Failure Count"]), failures),
    }


def verdict(stats: dict, ratio: float | None, targets: dict) -> str:
    missed = []
    if "ratio" in targets and (ratio is None or ratio < targets["ratio"]):
        missed.append(f"ratio < {targets['ratio']}")
    if "p95" in targets and stats["p95"] > targets["p95"]:
        missed.append(f"p95 > {targets['p95']} ms")
    if stats["errors"]:
        missed.append("errors")
    return "met" if not missed else "missed: " + ", ".join(missed)


def main(folder: Path) -> int:
    results = {prefix: read_stats(folder, prefix, name) for prefix, name, _ in SCENARIOS}
    baseline = results.get("baseline")
    lines = [
        "| page | requests | req/s | ratio to baseline | p50 ms | p95 ms | p99 ms | errors | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for prefix, name, targets in SCENARIOS:
        stats = results[prefix]
        if stats is None:
            lines.append(f"| {name} | – | – | – | – | – | – | – | not run |")
            continue
        ratio = stats["rps"] / baseline["rps"] if baseline and baseline["rps"] else None
        lines.append(
            f"| {name} | {stats['requests']:,} | {stats['rps']:.1f} | {'' if ratio is None else f'{ratio:.2f}'} "
            f"| {stats['p50']:.0f} | {stats['p95']:.0f} | {stats['p99']:.0f} | {stats['errors']} "
            f"| {verdict(stats, ratio, targets) if targets else '–'} |"
        )
    table = "\n".join(lines)
    print(table)
    (folder / "summary.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest")))
