"""The axe-core counts per page, gathered from every test process and printed once at the end.

The browser tests (tests/browser/conftest.py) count each page's axe-core violations by impact
with `count()`. The suite runs in several processes (pytest-xdist, `make test`), each with its own
counts: a worker hands its counts to the controller when it finishes, and the controller, which
prints the summary and writes artifacts/axe.json, merges them. Loaded from tests/conftest.py as
a plugin, so the controller, which runs no test and never loads tests/browser/conftest.py, has
the hooks too.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IMPACTS = ("critical", "serious", "moderate", "minor")

# (path with query, viewport width) -> the most violations of each impact seen on it at once
COUNTS: dict[tuple[str, int], Counter] = {}
# (path with query, viewport width) -> "impact rule-id" of every rule broken on it
RULES: dict[tuple[str, int], set[str]] = {}


def count(key: tuple[str, int], found: Counter, rules) -> None:
    """Keep, per page, the most violations of each impact seen on one visit, and every rule broken."""
    RULES.setdefault(key, set()).update(rules)
    seen = COUNTS.setdefault(key, Counter())
    for impact in IMPACTS:
        seen[impact] = max(seen[impact], found[impact])


def pytest_sessionfinish(session):
    output = getattr(session.config, "workeroutput", None)
    if output is not None:  # an xdist worker: its counts go to the controller
        output["axe"] = [[path, px, dict(COUNTS[path, px]), sorted(RULES[path, px])] for path, px in COUNTS]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for path, px, found, rules in getattr(node, "workeroutput", {}).get("axe", []):
        count((path, px), Counter(found), rules)


def pytest_terminal_summary(terminalreporter):
    if not COUNTS or hasattr(terminalreporter.config, "workeroutput"):  # a worker: the controller writes
        return
    write = terminalreporter.write_line
    terminalreporter.section("axe-core: rules violated per page (path @ viewport width)")
    width = max(len(f"{path} @{px}") for path, px in COUNTS)
    totals = Counter()
    for (path, px), counts in sorted(COUNTS.items()):
        totals.update(counts)
        write(f"{f'{path} @{px}':<{width}}  " + "  ".join(f"{impact} {counts[impact]}" for impact in IMPACTS))
    write(f"{len(COUNTS)} pages: " + ", ".join(f"{impact} {totals[impact]}" for impact in IMPACTS))
    report = ROOT / "artifacts" / "axe.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {"path": path, "width": px, **counts, "rules": sorted(RULES[path, px])}
        for (path, px), counts in sorted(COUNTS.items())
    ]
    report.write_text(json.dumps(rows, indent=1))
