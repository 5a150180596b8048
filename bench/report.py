"""The benchmark's table, from locust's CSV files: throughput, latency percentiles, the ratio of
each page's throughput to the constant page's (anonymous, and logged in), errors, and the targets.

The targets are the second round's (docs/PERFORMANCE.md): each read page at least 0.3 of the
logged-in constant page's throughput, the booking POST 0.25, the logged-in constant page itself
0.5 of the anonymous one. The logged-in constant page is read twice, before the pages and after
them (`baseline_logged_in_again`): it has moved by a third between runs with nothing changed, so
a page is compared with the mean of the readings taken around it, and both are shown.

    python3 bench/report.py bench/results/<run>     # reads <scenario>_stats.csv, _failures.csv, _exceptions.csv
"""

import csv
import sys
from pathlib import Path

# scenario (file prefix), the request name in locust, and its targets: "ratio" to the anonymous
# constant page, "logged_in" to the logged-in one; "p95", the first round's latency under load.
READ_TARGET = {"logged_in": 0.3, "p95": 150}
SCENARIOS = [
    ("baseline", "baseline", {}),
    # What a login costs every page below (session and user read on each request).
    ("baseline_logged_in", "baseline, logged in", {"ratio": 0.5}),
    ("day_board", "day board", READ_TARGET),
    ("patient_search", "patient search", READ_TARGET),
    ("patient_chart", "patient chart", READ_TARGET),
    ("portal_home", "portal home", READ_TARGET),
    # Its own latency: a response within 200 ms (bench/pages.txt has the time of one request alone).
    ("availability", "availability 4 weeks", {**READ_TARGET, "p95": 200}),
    ("booking", "booking", {"logged_in": 0.25}),
    ("baseline_logged_in_again", "baseline, logged in", {"ratio": 0.5}),
]
LABELS = {"baseline_logged_in_again": "baseline, logged in (again, after the pages)"}


def _count(path: Path, column: str) -> int:
    if not path.exists():
        return 0
    with path.open(newline="") as handle:
        return sum(int(row[column]) for row in csv.DictReader(handle))


def read_stats(folder: Path, prefix: str, name: str) -> dict | None:
    path = folder / f"{prefix}_stats.csv"
    if not path.exists():
        return None
    with path.open(newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    row = rows.get(name)
    if row is None:
        return None
    failures = _count(folder / f"{prefix}_failures.csv", "Occurrences")
    # An exception in the user's own code (the locustfile) stops its task after the request was
    # counted: the figures would stand for something the user did not finish doing.
    exceptions = _count(folder / f"{prefix}_exceptions.csv", "Count")
    return {
        "requests": int(row["Request Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "errors": max(int(row["Failure Count"]), failures) + exceptions,
    }


def verdict(stats: dict, ratios: dict, targets: dict) -> str:
    missed = []
    for key, label in (("ratio", "ratio"), ("logged_in", "ratio to logged in")):
        if key in targets and (ratios[key] is None or ratios[key] < targets[key]):
            missed.append(f"{label} < {targets[key]}")
    if "p95" in targets and stats["p95"] > targets["p95"]:
        missed.append(f"p95 > {targets['p95']} ms")
    if stats["errors"]:
        missed.append("errors")
    return "met" if not missed else "missed: " + ", ".join(missed)


def main(folder: Path) -> int:
    results = {prefix: read_stats(folder, prefix, name) for prefix, name, _ in SCENARIOS}
    baseline = results.get("baseline")
    readings = [results[p]["rps"] for p in ("baseline_logged_in", "baseline_logged_in_again") if results.get(p)]
    logged_in = sum(readings) / len(readings) if readings else None
    lines = [
        "| page | requests | req/s | ratio to baseline | ratio to logged in "
        "| p50 ms | p95 ms | p99 ms | errors | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for prefix, name, targets in SCENARIOS:
        stats, label = results[prefix], LABELS.get(prefix, name)
        if stats is None:
            lines.append(f"| {label} | – | – | – | – | – | – | – | – | not run |")
            continue
        ratios = {
            "ratio": stats["rps"] / baseline["rps"] if baseline and baseline["rps"] else None,
            "logged_in": stats["rps"] / logged_in if logged_in and not prefix.startswith("baseline") else None,
        }
        shown = {key: "" if value is None else f"{value:.2f}" for key, value in ratios.items()}
        lines.append(
            f"| {label} | {stats['requests']:,} | {stats['rps']:.1f} | {shown['ratio']} | {shown['logged_in']} "
            f"| {stats['p50']:.0f} | {stats['p95']:.0f} | {stats['p99']:.0f} | {stats['errors']} "
            f"| {verdict(stats, ratios, targets) if targets else '–'} |"
        )
    if len(readings) == 2:
        lines.append("")
        lines.append(f"Ratios to logged in: to the mean of its two readings, {logged_in:.1f} req/s.")
    table = "\n".join(lines)
    print(table)
    (folder / "summary.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/latest")))
