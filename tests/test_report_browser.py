"""report.html in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by playwright, the
page opened from file:// with no network. Skips only where playwright or that Chromium is missing;
.ci/run installs both (the `browser` extra and `apt-get install chromium`), so in CI it runs."""

import json
from pathlib import Path

import pytest

import behaviours
from builders import write_jsonl
from traceclio_core import pipeline
from traceclio_core.plugins import plugin_manager
from traceclio_core.settings import Settings
from traceclio_outputs.report import render_report

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags a closed network makes Chromium misbehave.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[browser]')")
expect = sync_api.expect
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory, cache_dir):
    requests, _ = behaviours.build(per_behaviour=12)
    for i, request in enumerate(requests):  # how each run ended, for the map's outcome colours
        root_span = request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
        root_span["attributes"].append({"key": "reward", "value": {"doubleValue": float(i % 3 != 0)}})
    root = tmp_path_factory.mktemp("browser")
    path = write_jsonl(root / "traces.jsonl", requests)
    settings = Settings(out_dir=root / "run", cache_dir=cache_dir, min_tenants=3, min_traces=5)
    result = pipeline.run([str(path)], settings, plugin_manager())
    return result, settings


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Page:
    """A page with every console error, uncaught exception and failed request recorded."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed request: {r.url}"))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)

    def close(self):
        self.page.close()


def surfaced(out: Path) -> list[dict]:
    return [c for c in json.loads((out / "clusters.json").read_text())["clusters"] if c["surfaced"]]


def test_the_map_and_tree_render_and_a_leaf_opens_its_page_with_a_timeline(run, browser):
    result, settings = run
    page = Page(browser, settings.out_dir / "report.html")
    clusters = surfaced(settings.out_dir)
    leaves = [c for c in clusters if c["level"] == 0]
    assert page.page.locator("#map .leaf-dot").count() == len(leaves)
    assert page.page.locator("#map .trace-dot").count() == len(result.layout.traces) > 0

    page.page.click("nav a[data-view=tree]")
    expect(page.page.locator("#tree-table tbody tr.node")).to_have_count(len(clusters))

    # The last circle drawn lies on top of the others: click it as a user would.
    dot = page.page.locator("#map .leaf-dot").last
    page.page.click("nav a[data-view=map]")
    leaf_id = dot.get_attribute("data-id")
    dot.click()
    title = next(c["title"] for c in leaves if c["id"] == leaf_id)
    expect(page.page.locator("#cluster-title")).to_contain_text(title)
    assert page.page.locator("#view-cluster .histogram").count() == 3
    assert page.page.locator("#view-cluster .exemplar").count() >= settings.min_tenants
    assert page.page.locator("#view-cluster .timeline .span").count() >= 2
    assert page.page.locator("#view-cluster .timeline .span[data-kind=llm]").count() >= 1
    assert page.problems == []
    page.close()


def test_the_tree_filters_by_title_words_and_sorts(run, browser):
    _, settings = run
    page = Page(browser, settings.out_dir / "report.html")
    page.page.click("nav a[data-view=tree]")
    rows = page.page.locator("#tree-table tbody tr.node")
    expect(rows.first).to_be_visible()
    everything = rows.count()
    page.page.fill("#filter-text", "no-such-word-anywhere")
    expect(rows).to_have_count(0)
    page.page.fill("#filter-text", "")
    page.page.click("#filter-failing")
    assert 0 < rows.count() <= everything
    page.page.click("#filter-failing")
    page.page.click("#tree-table th[data-sort=concern]")
    expect(page.page.locator("#tree-table th.sorted")).to_have_text("concern")
    expect(rows).to_have_count(everything)
    page.page.select_option("#sort", "triage")  # size × concern × tenants: the top row ranks first
    clusters = {c["id"]: c for c in surfaced(settings.out_dir)}
    order = rows.evaluate_all("rows => rows.map(r => r.dataset.id)")
    tops = [clusters[i] for i in order if clusters[i]["parent"] not in clusters]
    ranks = [c["size"] * c["mean_concern"] * c["tenants"] for c in tops]
    assert ranks == sorted(ranks, reverse=True)
    assert page.problems == []
    page.close()


def test_outliers_and_changes_views_render_without_errors(run, browser, tmp_path):
    result, settings = run
    leaf = next(n for n in result.clusters if n.level == 0 and n.surfaced)
    result.summary["diff"] = {"baseline": "runs/last-week", "changes": [
        {"id": leaf.id, "title": leaf.title, "status": "new", "old_share": 0.0, "new_share": 0.2, "old_count": 0,
         "new_count": 12, "p_value": 0.0001, "significant": True, "lineage": []}]}
    report = tmp_path / "report.html"
    report.write_text(render_report(result, settings.model_copy(update={"out_dir": tmp_path})), encoding="utf-8")
    result.summary.pop("diff")
    page = Page(browser, report)
    headline = page.page.locator("#headline")
    assert headline.is_visible() and "since the baseline" in headline.inner_text()
    page.page.click("nav a[data-view=changes]")
    expect(page.page.locator("#view-changes tbody tr")).to_have_count(1)
    page.page.click("nav a[data-view=outliers]")
    expect(page.page.locator("#view-outliers h2")).to_have_text("Outliers")
    page.page.click("nav a[data-view=map]")
    first = page.page.locator("#map .leaf-dot").first
    expect(first).to_be_visible()
    by_concern = first.get_attribute("fill")
    page.page.check("input[name=colour][value=outcome]")
    assert page.page.locator("#map .leaf-dot").first.get_attribute("fill") != by_concern
    assert page.problems == []
    page.close()
