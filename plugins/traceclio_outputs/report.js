// traceclio report: draws the views from the JSON embedded above (report_data.py). No network, no framework.
// Every text from the data goes in through textContent, never as markup.
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("traceclio-data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const byId = new Map(DATA.clusters.map((c) => [c.id, c]));
  // Shares are of the traces clustered, surfaced or suppressed (as in a leaf's profile).
  const total = DATA.run.traces_clustered + DATA.run.suppressed_traces ||
    DATA.clusters.filter((c) => !byId.has(c.parent)).reduce((n, c) => n + c.size, 0) || 1;

  // -- small builders ------------------------------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v; else if (k === "text") el.textContent = v; else el.setAttribute(k, v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }
  function s(tag, attrs) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    return el;
  }
  const pct = (x) => (x === null || x === undefined ? "" : (100 * x).toFixed(x < 0.1 && x > 0 ? 1 : 0) + "%");
  const num = (x) => (x >= 10000 ? Math.round(x / 1000) + "k" : x >= 100 ? Math.round(x) : +x.toFixed(1)).toString();
  const link = (c) => h("a", { href: "#cluster/" + c.id, class: "cluster-link", text: c.title || c.id });
  function concernBadge(c) {
    const level = Math.min(5, Math.max(1, Math.round(c.concern)));
    return h("span", { class: "concern c" + level, title: "mean concern 1-5", text: c.concern.toFixed(1) });
  }
  function flags(c) {
    return [c.failing ? h("span", { class: "flag failing", text: "failing" }) : null,
      c.heterogeneous ? h("span", { class: "flag mixed", text: "heterogeneous" }) : null];
  }
  function outcomeText(c) {
    if (c.outcome_rate === null) return "";
    const lift = c.outcome_lift === null ? "" : ", " + c.outcome_lift.toFixed(2) + "× the run";
    return pct(c.outcome_rate) + " of " + c.outcome_traces + lift;
  }
  function table(head, rows, numeric) {
    return h("table", {}, h("thead", {}, h("tr", {}, head.map((t, i) => h("th", { class: numeric && numeric[i] ? "num" : null, text: t })))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((cell, i) => h("td", { class: numeric && numeric[i] ? "num" : null }, cell))))));
  }
  // Colours: concern 1 (green) to 5 (red); outcome 0 (red) to 1 (green); unknown grey.
  function ramp(t) {
    const a = [47, 158, 114], b = [240, 180, 40], c = [217, 48, 37];
    const [p, q, u] = t < 0.5 ? [a, b, t * 2] : [b, c, (t - 0.5) * 2];
    return "rgb(" + p.map((x, i) => Math.round(x + (q[i] - x) * u)).join(",") + ")";
  }
  const concernColour = (v) => ramp(Math.min(1, Math.max(0, (v - 1) / 4)));
  const outcomeColour = (v) => (v === null || v === undefined ? "#9aa0a6" : ramp(1 - Math.min(1, Math.max(0, v))));

  // -- header --------------------------------------------------------------------------------------
  const run = DATA.run;
  document.getElementById("run-meta").textContent = run.traces_read + " traces read, " + run.traces_clustered +
    " in surfaced clusters, " + run.suppressed_traces + " in suppressed clusters, " + run.rejected +
    " inputs set aside. Clustered along " + run.axis.join(", ") + ". Privacy: " + run.thresholds +
    ", exemplar traces too. Every text is scrubbed.";
  const suppressedText = DATA.suppressed.map((x) => x.clusters + " at level " + x.level + " (" + x.traces + " traces)").join(", ");
  document.getElementById("suppressed-note").textContent = suppressedText ?
    "Suppressed clusters, below the privacy thresholds, are counted only: " + suppressedText + "." : "";

  // -- map -----------------------------------------------------------------------------------------
  const tooltip = document.getElementById("tooltip");
  function showTip(event, c) {
    tooltip.replaceChildren(h("b", { text: c.title }), h("br"), c.id + " · " + c.size + " traces (" + pct(c.size / total) +
      "), " + c.tenants + " tenants, concern " + c.concern.toFixed(1) + (c.outcome_rate === null ? "" : ", outcome " + pct(c.outcome_rate)));
    tooltip.hidden = false;
    tooltip.style.left = Math.min(event.clientX + 14, window.innerWidth - 380) + "px";
    tooltip.style.top = event.clientY + 14 + "px";
  }
  function drawMap() {
    const svg = document.getElementById("map");
    const W = 960, H = 560, pad = 40;
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.replaceChildren();
    const mode = document.querySelector("input[name=colour]:checked").value;
    const leaves = Object.entries(DATA.map.leaves).map(([id, xy]) => ({ c: byId.get(id), x: xy[0], y: xy[1] }));
    const xs = leaves.map((l) => l.x).concat(DATA.map.points.map((p) => p[0]));
    const ys = leaves.map((l) => l.y).concat(DATA.map.points.map((p) => p[1]));
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const sx = (x) => pad + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * (W - 2 * pad);
    const sy = (y) => H - pad - (y1 > y0 ? (y - y0) / (y1 - y0) : 0.5) * (H - 2 * pad);
    const leafList = DATA.clusters.filter((c) => c.level === 0);
    const biggest = Math.max(1, ...leafList.map((c) => c.size));
    // The largest circle shrinks as leaves multiply, so a thousand of them still leave the map readable.
    const largest = Math.max(8, Math.min(28, 160 / Math.sqrt(Math.max(1, leaves.length))));
    DATA.map.points.forEach((p, i) => {
      const c = DATA.clusters[p[2]];
      // Traces with the same evidence share a point: spread them a little, the same way every time.
      const a = (i * 2.399963) % (2 * Math.PI), r = 3 + ((i * 7919) % 9);
      const dot = s("circle", { class: "trace-dot", cx: sx(p[0]) + r * Math.cos(a), cy: sy(p[1]) + r * Math.sin(a), r: 2.2,
        fill: mode === "outcome" ? outcomeColour(p[4]) : concernColour(p[3]), "data-cluster": c.id });
      dot.addEventListener("click", () => { location.hash = "#cluster/" + c.id; });
      dot.addEventListener("mousemove", (e) => showTip(e, c));
      dot.addEventListener("mouseleave", () => { tooltip.hidden = true; });
      svg.append(dot);
    });
    leaves.sort((a, b) => b.c.size - a.c.size);
    for (const l of leaves) {
      const c = l.c, colour = mode === "outcome" ? outcomeColour(c.outcome_rate) : concernColour(c.concern);
      const dot = s("circle", { class: "leaf-dot " + (c.failing ? "failing" : "healthy"), cx: sx(l.x), cy: sy(l.y),
        r: 4 + largest * Math.sqrt(c.size / biggest), fill: colour, stroke: colour, "data-id": c.id });
      dot.addEventListener("click", () => { location.hash = "#cluster/" + c.id; });
      dot.addEventListener("mousemove", (e) => showTip(e, c));
      dot.addEventListener("mouseleave", () => { tooltip.hidden = true; });
      svg.append(dot);
    }
    // Titles of the largest leaves, where they do not run into one already written.
    const placed = [];
    for (const l of leaves.slice(0, 25)) {
      const text = l.c.title.length > 42 ? l.c.title.slice(0, 40) + "…" : l.c.title;
      const width = 6.2 * text.length, right = sx(l.x) > W * 0.62;
      const box = { x: right ? sx(l.x) - 8 - width : sx(l.x) + 8, y: sy(l.y) - 20, w: width, h: 14 };
      if (placed.length >= 12 || placed.some((b) => box.x < b.x + b.w && b.x < box.x + box.w && box.y < b.y + b.h && b.y < box.y + box.h)) continue;
      placed.push(box);
      const label = s("text", { class: "label", x: right ? sx(l.x) - 8 : sx(l.x) + 8, y: sy(l.y) - 9, "text-anchor": right ? "end" : "start" });
      label.textContent = text;
      svg.append(label);
    }
    const legend = document.getElementById("map-legend");
    legend.replaceChildren(...(mode === "outcome" ? [[0, "outcome 0"], [0.5, "0.5"], [1, "1 (passed)"], [null, "unknown"]].map(
      ([v, t]) => h("span", {}, h("span", { class: "swatch", style: "background:" + outcomeColour(v) }), t)) :
      [1, 2, 3, 4, 5].map((v) => h("span", {}, h("span", { class: "swatch", style: "background:" + concernColour(v) }), "concern " + v))),
    h("span", {}, "solid ring: failing, dashed: healthy"));
  }
  document.querySelectorAll("input[name=colour]").forEach((el) => el.addEventListener("change", drawMap));
  if (!run.outcomes) document.querySelector("input[value=outcome]").disabled = true;

  // -- tree ----------------------------------------------------------------------------------------
  const collapsed = new Set();
  let sortKey = "size";
  const facetSelect = document.getElementById("filter-facet");
  [...new Set(DATA.clusters.flatMap((c) => c.facets))].sort().forEach((v) => facetSelect.append(h("option", { value: v, text: v })));
  function sortValue(c) {
    if (sortKey === "title") return c.title.toLowerCase();
    if (sortKey === "outcome") return c.outcome_rate === null ? 2 : c.outcome_rate;
    return sortKey === "triage" ? -(c.size * c.concern * c.tenants) : -c[sortKey];
  }
  function sorted(ids) {
    return ids.map((id) => byId.get(id)).filter(Boolean).sort((a, b) => {
      const x = sortValue(a), y = sortValue(b);
      return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1;
    });
  }
  function matcher() {
    const words = document.getElementById("filter-text").value.toLowerCase().split(/\s+/).filter(Boolean);
    const facet = facetSelect.value, concern = +document.getElementById("filter-concern").value || 0;
    const size = +document.getElementById("filter-size").value || 0, failing = document.getElementById("filter-failing").checked;
    const active = words.length || facet || concern > 0 || size > 0 || failing;
    const test = (c) => {
      const hay = (c.title + " " + c.description + " " + c.facets.join(" ")).toLowerCase();
      return words.every((w) => hay.includes(w)) && (!facet || c.facets.includes(facet)) && c.concern >= concern &&
        c.size >= size && (!failing || c.failing);
    };
    return { active, test };
  }
  function drawTree() {
    const body = document.querySelector("#tree-table tbody");
    body.replaceChildren();
    const { active, test } = matcher();
    const visible = new Map();
    const shown = (c) => {
      if (visible.has(c.id)) return visible.get(c.id);
      const v = test(c) || c.children.some((id) => byId.has(id) && shown(byId.get(id)));
      visible.set(c.id, v);
      return v;
    };
    let matches = 0;
    const add = (c, depth) => {
      if (!shown(c)) return;
      if (test(c)) matches += 1;
      const open = active || !collapsed.has(c.id);
      const toggle = c.children.length || c.hidden.clusters ? h("span", { class: "toggle", text: open ? "▾" : "▸" }) : h("span", { class: "toggle" });
      toggle.addEventListener("click", () => { collapsed.has(c.id) ? collapsed.delete(c.id) : collapsed.add(c.id); drawTree(); });
      body.append(h("tr", { class: "node level-" + c.level, "data-id": c.id, "data-level": c.level },
        h("td", { style: "padding-left:" + (0.4 + 1.4 * depth) + "em" }, toggle, link(c), " ", h("span", { class: "hint", text: c.id })),
        h("td", { class: "num", text: c.size + " (" + pct(c.size / total) + ")" }), h("td", { class: "num", text: c.tenants }),
        h("td", { class: "num" }, concernBadge(c)), h("td", { class: "num", text: outcomeText(c) }), h("td", {}, flags(c))));
      if (!open) return;
      sorted(c.children).forEach((child) => add(child, depth + 1));
      if (c.hidden.clusters && !active) {
        body.append(h("tr", { class: "suppressed-row" }, h("td", { class: "suppressed", colspan: 6, style: "padding-left:" + (1.8 + 1.4 * depth) + "em",
          text: c.hidden.clusters + " suppressed clusters, " + c.hidden.traces + " traces (below the privacy thresholds)" })));
      }
    };
    sorted(DATA.clusters.filter((c) => !byId.has(c.parent)).map((c) => c.id)).forEach((c) => add(c, 0));
    document.getElementById("tree-count").textContent = active ? matches + " of " + DATA.clusters.length + " clusters match" :
      DATA.clusters.length + " surfaced clusters";
    document.querySelectorAll("#tree-table th[data-sort]").forEach((th) => th.classList.toggle("sorted", th.dataset.sort === sortKey));
  }
  ["filter-text", "filter-facet", "filter-concern", "filter-size", "filter-failing"].forEach((id) =>
    document.getElementById(id).addEventListener("input", drawTree));
  const sortSelect = document.getElementById("sort");
  sortSelect.addEventListener("input", () => { sortKey = sortSelect.value; drawTree(); });
  document.querySelectorAll("#tree-table th[data-sort]").forEach((th) => th.addEventListener("click", () => {
    sortKey = sortSelect.value = th.dataset.sort; drawTree();
  }));

  // -- cluster page --------------------------------------------------------------------------------
  function histogram(measure, counts) {
    const W = 260, H = 110, pad = 18, n = counts.length, inside = counts.reduce((a, b) => a + b, 0) || 1;
    const runTotal = measure.run.reduce((a, b) => a + b, 0) || 1;
    const shares = counts.map((x) => x / inside), runShares = measure.run.map((x) => x / runTotal);
    const top = Math.max(0.01, ...shares, ...runShares), bw = (W - 2 * pad) / n;
    const svg = s("svg", { class: "histogram", width: W, height: H + 30, viewBox: "0 0 " + W + " " + (H + 30) });
    shares.forEach((v, i) => svg.append(s("rect", { class: "bar", x: pad + i * bw + 1, width: Math.max(1, bw - 2), y: H - v / top * (H - 10), height: v / top * (H - 10) })));
    const path = runShares.map((v, i) => (i ? "L" : "M") + (pad + i * bw) + " " + (H - v / top * (H - 10)) + " L" + (pad + (i + 1) * bw) + " " + (H - v / top * (H - 10))).join(" ");
    svg.append(s("path", { class: "run", d: path }));
    const edges = measure.edges, label = (x, t, anchor) => { const el = s("text", { x, y: H + 12, "text-anchor": anchor }); el.textContent = t; svg.append(el); };
    label(pad, num(edges[0]), "start");
    label(W / 2, measure.label, "middle");
    label(W - pad, num(edges[edges.length - 1]), "end");
    const note = s("text", { x: pad, y: H + 26 }); note.textContent = "bars: this cluster · line: the run"; svg.append(note);
    return svg;
  }
  function timeline(ex, index) {
    const f = Object.fromEntries(DATA.timeline_fields.map((k, i) => [k, i]));
    const end = Math.max(1, ...ex.spans.map((sp) => sp[f.start_ms] + sp[f.duration_ms]));
    const rows = ex.spans.map((sp, i) => {
      const failed = !!sp[f.error];
      const [left, width] = ex.timed ? [100 * sp[f.start_ms] / end, Math.max(0.4, 100 * sp[f.duration_ms] / end)] : [100 * i / ex.spans.length, 100 / ex.spans.length];
      const kind = sp[f.kind];
      return h("div", { class: "span" + (failed ? " failed" : ""), "data-kind": kind },
        h("div", { class: "span-label", style: "padding-left:" + sp[f.depth] * 0.9 + "em", title: sp[f.label] || kind },
          h("span", { class: "kind k-" + kind, text: kind }), sp[f.label] || "", sp[f.tokens] ? h("span", { class: "hint", text: sp[f.tokens] + " tok" }) : null),
        h("div", { class: "track" }, h("div", { class: "bar k-" + kind, style: "left:" + left + "%;width:" + width + "%" })),
        h("div", { class: "dur", text: ex.timed ? num(sp[f.duration_ms]) + " ms" : "" }),
        failed ? h("div", { class: "error-text", text: "error: " + sp[f.error] }) : null);
    });
    return h("div", { class: "exemplar" },
      h("div", { class: "exemplar-head", text: "Exemplar " + (index + 1) + " · tenant " + ex.tenant + " of this cluster · trace " + ex.trace_id +
        (ex.timed ? "" : " · no times recorded: order only") + (ex.omitted ? " · " + ex.omitted + " more spans not shown" : "") }),
      h("div", { class: "timeline" }, rows));
  }
  function contrastTable(items) {
    return table(["", "here", "nearest clusters", "run", "lift"], items.map((c) => [
      h("span", { class: c.deviation ? "deviation" : null, text: c.text }), pct(c.inside), pct(c.nearby), pct(c.overall), c.nearby === 0 ? "only here" : c.lift.toFixed(1) + "×"]),
    [false, true, true, true, true]);
  }
  function drawCluster(id) {
    const page = document.getElementById("view-cluster");
    const c = byId.get(id);
    if (!c) { page.replaceChildren(h("p", { text: "No surfaced cluster " + id + "." })); return; }
    const crumbs = [];
    for (let p = byId.get(c.parent); p; p = byId.get(p.parent)) crumbs.unshift(link(p), " › ");
    const parts = [h("div", { class: "crumbs" }, h("a", { href: "#tree", text: "Tree" }), " › ", crumbs),
      h("h2", { id: "cluster-title" }, c.title, " ", h("span", { class: "hint", text: c.id }), " ", flags(c)),
      h("p", { class: "desc", text: c.description }), c.profile ? h("p", { class: "profile", text: c.profile }) : null,
      h("div", { class: "stats" }, h("div", {}, h("b", { text: c.size }), "traces, " + pct(c.size / total) + " of the run"),
        h("div", {}, h("b", { text: c.tenants }), "tenants"), h("div", {}, h("b", { text: c.concern.toFixed(1) }), "mean concern (1–5)"),
        h("div", {}, h("b", { text: pct(c.deviation_share) }), "with evidence of a deviation"),
        c.outcome_rate === null ? null : h("div", {}, h("b", { text: pct(c.outcome_rate) }), "outcome, of " + c.outcome_traces + (c.outcome_lift === null ? "" : "; " + c.outcome_lift.toFixed(2) + "× the run")))];
    if (c.distinguishing.length) parts.push(h("h3", { text: "What sets it apart from its nearest clusters" }), contrastTable(c.distinguishing));
    if (c.attributes.length) parts.push(h("h3", { text: "Attribute values it holds far more often" }), contrastTable(c.attributes));
    const shares = (title, items) => items.length ? [h("h3", { text: title }), table(["", "here", "run"], items.map((x) => [x.value, pct(x.inside), pct(x.overall)]), [false, true, true])] : [];
    parts.push(...shares("Failure modes", c.failure_modes), ...shares("How the runs end", c.completion));
    parts.push(h("h3", { text: "Latency, tokens and tool calls against the run" }),
      h("div", { class: "plots" }, DATA.measures.map((m) => histogram(m, c.histograms[m.facet]))));
    if (c.patterns.length) parts.push(...shares("Known-pattern detectors that fire here", c.patterns));
    parts.push(h("h3", { text: "Monitor" }), c.monitor ? h("p", { class: "monitor" }, h("a", { href: c.monitor.href, text: c.monitor.name }),
      " (" + c.monitor.method + (c.monitor.precision === null ? "" : ", precision " + pct(c.monitor.precision) + ", recall " + pct(c.monitor.recall)) + "): ",
      h("code", { text: c.monitor.expression })) :
      h("p", { class: "hint", text: "No exported monitor found. traceclio export writes monitors/; the report links them from the run directory or --plugin-option html_report.export_dir=EXPORT." }));
    if (c.children.length || c.hidden.clusters) {
      parts.push(h("h3", { text: "Clusters under it" }), h("ul", {}, sorted(c.children).map((k) => h("li", {}, link(k), " ", h("span", { class: "hint", text: k.size + " traces, " + k.tenants + " tenants" }))),
        c.hidden.clusters ? h("li", { class: "suppressed", text: c.hidden.clusters + " suppressed clusters, " + c.hidden.traces + " traces" }) : null));
    }
    if (c.examples.length) parts.push(h("h3", { text: "Example task summaries (scrubbed)" }), h("ul", { class: "examples" }, c.examples.map((e) => h("li", { text: e }))));
    if (c.exemplars.length) parts.push(h("h3", { text: "Exemplar traces (scrubbed span timelines, from " + new Set(c.exemplars.map((e) => e.tenant)).size + " tenants)" }), c.exemplars.map(timeline));
    page.replaceChildren(...parts.flat().filter(Boolean));
  }

  // -- outliers and changes ------------------------------------------------------------------------
  function drawOutliers() {
    const o = DATA.outliers, page = document.getElementById("view-outliers");
    const parts = [h("h2", { text: "Outliers" }), h("p", { text: o.count + " traces lie far from their cluster's centre or in the run's extreme tail (outliers.jsonl lists them all, with the figures)." })];
    if (o.reasons.length) parts.push(table(["reason", "traces"], o.reasons, [false, true]));
    if (o.listed.length) parts.push(h("h3", { text: "In surfaced clusters" + (o.listed.length < o.count - o.in_suppressed ? " (the first " + o.listed.length + ")" : "") }),
      table(["trace", "cluster", "reasons"], o.listed.map((x) => [h("code", { text: x.trace_id }), byId.has(x.cluster) ? link(byId.get(x.cluster)) : x.cluster, x.reasons.join("; ")])));
    if (o.in_suppressed) parts.push(h("p", { class: "suppressed", text: o.in_suppressed + " outliers in suppressed clusters, counted only." }));
    page.replaceChildren(...parts);
  }
  function drawChanges() {
    const d = DATA.diff, page = document.getElementById("view-changes");
    const title = (c) => (c.status !== "vanished" && byId.has(c.id) ? link(byId.get(c.id)) : c.title || "(a suppressed cluster)");
    const rows = d.changes.map((c) => [h("span", { class: "flag" + (c.status === "new" ? " failing" : ""), text: c.status }), title(c),
      pct(c.old_share) + " → " + pct(c.new_share), c.old_count + " → " + c.new_count, c.p_value.toPrecision(2)]);
    page.replaceChildren(h("h2", { text: "Changes against the baseline run" }), h("p", { class: "hint", text: "Baseline: " + d.baseline + ". " + d.changes.length + " significant changes; " + d.not_significant + " clusters changed within chance." }),
      rows.length ? table(["", "cluster", "share", "traces", "p"], rows, [false, false, true, true, true]) : h("p", { text: "No significant change." }));
  }
  if (DATA.diff) {
    document.querySelector("nav a[data-view=changes]").hidden = false;
    const fresh = DATA.diff.changes.filter((c) => c.status === "new" && byId.has(c.id) && byId.get(c.id).failing);
    const headline = document.getElementById("headline");
    headline.hidden = false;
    headline.append(fresh.length ? fresh.length + " new failure cluster" + (fresh.length > 1 ? "s" : "") + " since the baseline: " : DATA.diff.changes.length + " significant changes since the baseline. ");
    fresh.forEach((c, i) => headline.append(i ? ", " : "", link(byId.get(c.id))));
    headline.append(" ", h("a", { href: "#changes", text: "all changes" }));
  }

  // -- routing -------------------------------------------------------------------------------------
  const drawn = {};
  function route() {
    const hash = decodeURIComponent(location.hash.slice(1)) || "map";
    const [view, id] = hash.startsWith("cluster/") ? ["cluster", hash.slice(8)] : [hash, null];
    const name = ["map", "tree", "outliers", "changes", "cluster"].includes(view) && (view !== "changes" || DATA.diff) ? view : "map";
    document.querySelectorAll(".view").forEach((el) => { el.hidden = el.id !== "view-" + name; });
    document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.view === name));
    tooltip.hidden = true;
    if (name === "cluster") { drawCluster(id); window.scrollTo(0, 0); return; }
    if (!drawn[name]) ({ map: drawMap, tree: drawTree, outliers: drawOutliers, changes: drawChanges })[name]();
    drawn[name] = true;
  }
  window.addEventListener("hashchange", route);
  route();
})();
