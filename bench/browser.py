"""Browser figures for the course's pages: axe-core for `/` and every lesson page, the page width
on a 390 px phone, and Lighthouse (mobile and desktop) when `npx lighthouse` can run here.

axe-core is vendored in bench/vendor/axe-core (nothing is fetched from the web). The course is
served by Uvicorn on a fresh data directory, without a sandbox runner (pages do not need one).
Prints a table, then one JSON object with the figures and what could not be measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from deepdive.course.loader import load_course
from deepdive.db.migrate import open_database
from deepdive.settings import Settings
from deepdive.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "bench" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = Path(os.environ.get("DEEPDIVE_CHROMIUM", "/usr/bin/chromium"))
PHONE_WIDTH = 390
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
LIGHTHOUSE_CATEGORIES = ["performance", "accessibility", "best-practices"]
# The measurements behind the performance score, which vary less from run to run than the score
# on a busy machine: milliseconds, except the DOM size (elements) and the bytes of JavaScript.
LIGHTHOUSE_METRICS = {
    "fcp_ms": "first-contentful-paint",
    "lcp_ms": "largest-contentful-paint",
    "tbt_ms": "total-blocking-time",
    "si_ms": "speed-index",
    "cls": "cumulative-layout-shift",
    "main_thread_ms": "mainthread-work-breakdown",
    "dom_elements": "dom-size",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Server:
    def __init__(self, data_dir: Path) -> None:
        port = _free_port()
        settings = Settings(
            data_dir=data_dir, content_dir=ROOT / "content", host="127.0.0.1", port=port
        ).prepare()
        open_database(settings.database_url or "").dispose()
        app = create_app(settings, load_course(settings.content_dir))
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the course server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _axe_and_width(url: str, paths: list[str]) -> dict[str, dict[str, object]]:
    figures: dict[str, dict[str, object]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        # The course's CSP allows only its own scripts: axe is injected with CSP bypassed.
        desktop = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
        phone = browser.new_context(
            viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, has_touch=True
        )
        page, small = desktop.new_page(), phone.new_page()
        for path in paths:
            page.goto(url + path, wait_until="networkidle")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
            )
            violations = [
                {
                    "rule": v["id"],
                    "impact": v["impact"],
                    "nodes": len(v["nodes"]),
                    "targets": [" ".join(map(str, n["target"])) for n in v["nodes"][:3]],
                }
                for v in result["violations"]
            ]
            small.goto(url + path, wait_until="networkidle")
            width = small.evaluate("document.documentElement.scrollWidth")
            figures[path] = {
                "axe_violations": sum(v["nodes"] for v in violations),
                "axe_rules": violations,
                "width_at_390": width,
            }
        browser.close()
    return figures


def _lighthouse(
    url: str, paths: list[str], save_to: Path | None = None
) -> tuple[dict[str, dict[str, object]], list[str]]:
    """Lighthouse scores per page and form factor, or why they could not be measured."""
    npx = shutil.which("npx")
    if npx is None:
        return {}, ["Lighthouse: npx is not installed"]
    probe = subprocess.run(
        [npx, "--no-install", "lighthouse", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if probe.returncode != 0:
        return {}, [
            "Lighthouse (mobile and desktop): `npx lighthouse` cannot run here "
            "(the lighthouse package is not installed; `npm install -g lighthouse` and run again)"
        ]
    scores: dict[str, dict[str, object]] = {}
    missing: list[str] = []
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    for path in paths:
        for form in ("mobile", "desktop"):
            with tempfile.NamedTemporaryFile(suffix=".json") as report:
                command = [
                    npx,
                    "--no-install",
                    "lighthouse",
                    url + path,
                    "--quiet",
                    "--output=json",
                    f"--output-path={report.name}",
                    f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                ]
                if form == "desktop":
                    command.append("--preset=desktop")
                # On a busy machine Chromium now and then loses the trace (NO_NAVSTART): once more.
                for _attempt in range(2):
                    done = subprocess.run(
                        command, capture_output=True, text=True, timeout=300, check=False, env=env
                    )
                    if done.returncode == 0:
                        break
                if done.returncode != 0:
                    missing.append(f"Lighthouse {form} {path}: {done.stderr.strip()[-200:]}")
                    continue
                data = json.loads(Path(report.name).read_text())
                if save_to is not None:
                    name = (path.strip("/").replace("/", "-") or "course") + f"-{form}.json"
                    shutil.copyfile(report.name, save_to / name)
            categories = data["categories"]
            scores.setdefault(path, {})[form] = {
                name: round(categories[name]["score"] * 100)
                for name in LIGHTHOUSE_CATEGORIES
                if categories.get(name, {}).get("score") is not None
            }
            scores[path][f"{form}_metrics"] = _metrics(data["audits"])
    return scores, missing


def _metrics(audits: dict[str, dict[str, object]]) -> dict[str, float | None]:
    """TBT, LCP and the rest from a Lighthouse report, plus the JavaScript fetched by the page."""
    figures: dict[str, float | None] = {}
    for name, audit in LIGHTHOUSE_METRICS.items():
        value = audits.get(audit, {}).get("numericValue")
        digits = 3 if name == "cls" else 0
        figures[name] = round(float(value), digits) if value is not None else None
    requests = (audits.get("network-requests", {}).get("details") or {}).get("items", [])
    scripts = [r for r in requests if r.get("resourceType") == "Script"]
    figures["js_requests"] = len(scripts)
    figures["js_transfer_bytes"] = sum(int(r.get("transferSize") or 0) for r in scripts)
    figures["js_resource_bytes"] = sum(int(r.get("resourceSize") or 0) for r in scripts)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lighthouse", action="store_true", help="only axe and page widths")
    parser.add_argument(
        "--pages",
        nargs="+",
        metavar="PATH",
        help="measure only these pages (such as / /lessons/basics); default: / and every lesson",
    )
    parser.add_argument(
        "--reports",
        type=Path,
        metavar="DIR",
        help="also keep each Lighthouse report (JSON) in this folder",
    )
    args = parser.parse_args()
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)
    missing: list[str] = []
    load_before = os.getloadavg()
    if not CHROMIUM.exists():
        print(f"Chromium is needed at {CHROMIUM}", file=sys.stderr)
        raise SystemExit(1)
    with tempfile.TemporaryDirectory() as data_dir, _Server(Path(data_dir)) as server:
        course = load_course(ROOT / "content")
        paths = ["/", *(f"/lessons/{lesson.slug}" for lesson in course.lessons)]
        if args.pages:
            unknown = sorted(set(args.pages) - set(paths))
            if unknown:
                parser.error(f"not a page of the course: {', '.join(unknown)}")
            paths = [path for path in paths if path in args.pages]
        figures = _axe_and_width(server.url, paths)
        lighthouse: dict[str, dict[str, object]] = {}
        if args.no_lighthouse:
            missing.append("Lighthouse: skipped (--no-lighthouse)")
        else:
            lighthouse, missing_lighthouse = _lighthouse(server.url, paths, args.reports)
            missing += missing_lighthouse

    print(f"{'page':<34} {'axe':>4} {'w@390':>6}  {'LH mobile':<14} {'LH desktop':<14} rules")
    for path in paths:
        row = figures[path]
        scores = lighthouse.get(path, {})
        cells = [
            "/".join(str(scores[form][n]) for n in LIGHTHOUSE_CATEGORIES if n in scores[form])
            if form in scores
            else "-"
            for form in ("mobile", "desktop")
        ]
        rules = ", ".join(f"{r['rule']}×{r['nodes']}" for r in row["axe_rules"]) or "none"
        print(
            f"{path:<34} {row['axe_violations']:>4} {row['width_at_390']:>6}  "
            f"{cells[0]:<14} {cells[1]:<14} {rules}"
        )
    if lighthouse:
        print(f"(Lighthouse columns: {' / '.join(LIGHTHOUSE_CATEGORIES)})")
        print()
        print(
            f"{'page':<34} {'form':<8} {'TBT ms':>7} {'LCP ms':>7} {'FCP ms':>7} "
            f"{'main ms':>8} {'DOM':>6} {'JS KiB':>7} {'JS files':>8}"
        )
        for path in paths:
            for form in ("mobile", "desktop"):
                m = lighthouse.get(path, {}).get(f"{form}_metrics")
                if not m:
                    continue
                print(
                    f"{path:<34} {form:<8} {m['tbt_ms']!s:>7} {m['lcp_ms']!s:>7} "
                    f"{m['fcp_ms']!s:>7} {m['main_thread_ms']!s:>8} {m['dom_elements']!s:>6} "
                    f"{m['js_resource_bytes'] / 1024:>7.0f} {m['js_requests']:>8}"
                )
    for line in missing:
        print(f"Not measured: {line}")
    load_after = os.getloadavg()
    # Lighthouse simulates a slow phone from what it measured here: a busy machine lowers it.
    print(f"Load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    print(
        json.dumps(
            {
                "axe_version": "4.14.1",
                "axe_tags": AXE_TAGS,
                "pages": {
                    path: {**figures[path], "lighthouse": lighthouse.get(path)} for path in paths
                },
                "axe_violations_total": sum(int(f["axe_violations"]) for f in figures.values()),
                "widest_at_390": max(int(f["width_at_390"]) for f in figures.values()),
                "not_measured": missing,
                "load_average_1min": {"before": load_before[0], "after": load_after[0]},
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
