"""Main-thread blocking time of the administrator's coverage screen
(#/admin/dekning) in Chromium, against the demo as `make run` serves it.

    .venv/bin/python -m tests.perf.coverage_render [--rounds 5] [--cpu-slowdown 1]

Each round loads the screen afresh (a full page load, logged in as `admin` on a
desktop window, after one warm-up round), then switches month once ("Neste
måned", where the screen has the month table) and week once ("Neste uke"). For
each of the three it reports:
- blocking time: the long tasks (over 50 ms) that a PerformanceObserver saw
  from the navigation or the click until the screen was drawn and quiet, each
  counted beyond its first 50 ms, as Lighthouse's total blocking time counts them;
- busy: the main thread's task time in that span (CDP Performance.getMetrics,
  TaskDuration), long tasks or not;
- the DOM node count of the page once drawn.
Prints one line per round, then the median of each figure and the machine's
load. Not a test: figures on a shared two-core machine move with its load.
`--cpu-slowdown 4` applies DevTools CPU throttling (as Lighthouse's mobile preset).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.browser.conftest import DESKTOP, serve_demo
from tests.browser.conftest import login as log_in
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

# Collected before the app's scripts run, buffered from the navigation on.
OBSERVE_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });
"""
QUIET_MS = 600  # no long task and no request for this long: the screen is done
NAMES = {"load": "load", "month": "next month", "week": "next week"}
MONTH_TABLE = '[data-testid="coverage-month"]'
WEEK_GRID = '[data-testid="coverage-patients"]'


def blocking_since(page: Any, since: float) -> float:
    tasks = page.evaluate("window.__longTasks")
    return sum(max(0.0, t["duration"] - 50) for t in tasks if t["start"] + t["duration"] >= since)


def task_seconds(cdp: Any) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def settle(page: Any) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(QUIET_MS)


def dom_nodes(page: Any) -> int:
    return page.evaluate("document.getElementsByTagName('*').length")


def switch(page: Any, cdp: Any, button: str, marker: Any) -> dict[str, float]:
    """Click `button` and wait until `marker` says something else, then for quiet."""
    shown = marker.text_content()
    since = page.evaluate("performance.now()")
    before = task_seconds(cdp)
    page.get_by_role("button", name=button).click()
    deadline = time.monotonic() + 30
    while marker.text_content() == shown and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    settle(page)
    return {
        "blocking_ms": blocking_since(page, since),
        "busy_ms": (task_seconds(cdp) - before) * 1000,
        "dom_nodes": dom_nodes(page),
    }


def one_round(page: Any, cdp: Any, base: str) -> dict[str, dict[str, float]]:
    before = task_seconds(cdp)
    page.goto(f"{base}/#/admin/dekning")
    page.wait_for_selector(WEEK_GRID)
    settle(page)
    figures = {
        "load": {
            "blocking_ms": blocking_since(page, 0),
            "busy_ms": (task_seconds(cdp) - before) * 1000,
            "dom_nodes": dom_nodes(page),
        }
    }
    if page.locator(MONTH_TABLE).count():
        figures["month"] = switch(page, cdp, "Neste måned", page.locator(f"{MONTH_TABLE} caption"))
    figures["week"] = switch(page, cdp, "Neste uke", page.locator('[data-testid="coverage"] .cov-week'))
    return figures


def line(what: str, f: dict[str, float]) -> str:
    return (
        f"{NAMES[what]} blocking {f['blocking_ms']:4.0f} ms, busy {f['busy_ms']:4.0f} ms,"
        f" DOM {f['dom_nodes']:4.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cpu-slowdown", type=float, default=1.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows: list[dict[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as workdir:
        server = serve_demo(Path(workdir))
        base = next(server)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                context = browser.new_context(
                    base_url=base, locale="nb-NO", timezone_id="Europe/Oslo", **DESKTOP
                )
                context.add_init_script(OBSERVE_LONG_TASKS)
                page = context.new_page()
                log_in(page, "admin")
                page.wait_for_selector('[data-testid="admin-home"]')
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                if args.cpu_slowdown != 1:
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.cpu_slowdown})
                one_round(page, cdp, base)  # warm-up: module and HTTP caches, as an admin's second visit
                for n in range(args.rounds):
                    page.goto("about:blank")
                    row = one_round(page, cdp, base)
                    rows.append(row)
                    print(f"round {n + 1}: " + " | ".join(line(k, v) for k, v in row.items()), flush=True)
                browser.close()
        finally:
            next(server, None)
    print(f"median of {len(rows)} (cpu slowdown {args.cpu_slowdown:g}):")
    for what in rows[0]:
        print("  " + line(what, {k: statistics.median(r[what][k] for r in rows) for k in rows[0][what]}))
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
