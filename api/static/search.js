// The search page: every filter of GET /v1/creators as a labelled control,
// facets with counts, sortable columns, paging to the last result, the
// whole state in the URL, and only the latest request's answer shown.

import {
  api, h, message, isAbort, num, pct, score, priceRange, label, creatorURL, avatar,
  selection, stateLine, flash, download, openAPI, addToWatchlistDialog, compact, watchlistsOrNull, day,
  show, at,
} from "./lib.js";

// How numeric fields are shown: a scale from the API's unit to the unit
// typed (fractions are typed as percents) and the unit's name.
const UNITS = {
  followers: ["", "count"], following: ["", "count"], posts_count: ["", "count"], linked_accounts: ["", "count"],
  engagement_rate: [100, "% of followers"], fake_follower_share: [100, "% of followers"], growth_30d: [100, "% over 30 days"],
  niche_focus: [100, "% of posts"], niche_relevance: ["", "0 to 1"], sponsored_pct: ["", "% of posts"],
  posts_per_week: ["", "posts a week"], days_since_last_post: ["", "days"],
  authenticity: ["", "score 0–100"], growth: ["", "score 0–100"], consistency: ["", "score 0–100"], brand_safety: ["", "score 0–100"],
  overall: ["", "score 0–100"], confidence: ["", "0 to 1"], price_min_usd: ["", "US$ a post"], price_max_usd: ["", "US$ a post"],
  updated_at: ["", "date"],
};
const LABELS = {
  q: "Search text", platform: "Platform", niche: "Niche", tier: "Tier", country: "Country", language: "Language",
  engagement_label: "Engagement for its tier", growth_trend: "Growth trend", handle: "Exact handle", profile_url: "Exact profile URL",
  followers: "Followers", following: "Following", posts_count: "Posts", linked_accounts: "Linked accounts",
  engagement_rate: "Engagement rate", posts_per_week: "Posts per week", days_since_last_post: "Days since last post",
  niche_relevance: "Niche relevance", niche_focus: "Niche focus", authenticity: "Authenticity", fake_follower_share: "Fake followers",
  growth_30d: "Follower growth", growth: "Growth score", consistency: "Consistency", brand_safety: "Brand safety",
  sponsored_pct: "Sponsored posts", price_min_usd: "Lowest price", price_max_usd: "Highest price", overall: "Overall score",
  confidence: "Confidence", updated_at: "Updated",
};
// The filters shown without opening "More filters".
const MAIN_KEYWORD = ["platform", "niche", "tier", "country", "language"];
const MAIN_RANGE = ["followers", "engagement_rate", "authenticity", "growth", "growth_30d", "price_min_usd", "price_max_usd"];
const FACETS = ["platform", "tier", "niche", "country", "language", "engagement_label", "growth_trend",
  "followers", "engagement_rate", "authenticity", "price_min_usd", "price_max_usd"];
const PER_PAGES = ["20", "50", "100"];
const MAX_DEPTH = 10000; // page × per_page may not pass it

// Columns of the results table: the sort field each header sorts by.
const COLUMNS = [
  { title: "Creator" },
  { title: "Platform", cls: "hide-s" },
  { title: "Niche" },
  { title: "Tier" },
  { title: "Followers", sort: "followers", num: true },
  { title: "Engagement", sort: "engagement_rate", num: true },
  { title: "Authenticity", sort: "authenticity", num: true },
  { title: "Growth 30d", sort: "growth_30d", num: true },
  { title: "Price / post", sort: "price_min_usd", num: true },
  { title: "Overall", sort: "overall", num: true },
];

let seq = 0;          // the number of the latest search
let inflight = null;  // its AbortController
let lastResult = null;

export async function searchPage(root) {
  show(root, stateLine("Loading the filters…"));
  let spec;
  try {
    spec = await openAPI();
  } catch (e) {
    show(root, stateLine("The filters could not be loaded: " + message(e), "error"));
    return;
  }
  const params = spec.paths["/v1/creators"].get.parameters;
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  const keywordFields = params.filter((p) => p.schema.type === "array" && !["sort", "facets"].includes(p.name)).map((p) => p.name);
  const rangeFields = [...new Set(params.filter((p) => p.name.endsWith("_min")).map((p) => p.name.slice(0, -4)))];
  const ctx = { byName, keywordFields, rangeFields };

  const form = buildForm(ctx);
  const results = h("section", { class: "results", id: "results", "aria-live": "polite" });
  const filtersPanel = h("details", { class: "filters", id: "filters-panel" },
    h("summary", {}, "Filters"), form);
  if (window.matchMedia("(min-width: 800px)").matches) filtersPanel.open = true;
  const alertsBox = h("details", { class: "card recent-alerts closable", id: "recent-alerts", hidden: true });
  show(root, alertsBox, h("div", { class: "search-layout" }, filtersPanel, results));
  recentAlerts(alertsBox);
  ctx.form = form;
  ctx.results = results;
  ctx.panel = filtersPanel;

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const p = formParams(ctx);
    p.delete("page");
    go(ctx, p, true);
  });
  form.addEventListener("change", (e) => {
    if (e.target.type === "checkbox" || e.target.tagName === "SELECT") form.requestSubmit();
  });
  form.addEventListener("reset", (e) => {
    e.preventDefault();
    go(ctx, new URLSearchParams(), true);
  });
  window.addEventListener("popstate", () => {
    fillForm(ctx, currentParams());
    run(ctx);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    for (const d of root.querySelectorAll("details[open].closable")) d.open = false;
    if (!window.matchMedia("(min-width: 800px)").matches) filtersPanel.open = false;
  });
  fillForm(ctx, currentParams());
  run(ctx);
}

// recentAlerts shows each watchlist's newest alerts above the results,
// folded; nothing when the server keeps no watchlists or has no alerts.
async function recentAlerts(box) {
  let lists;
  try {
    lists = await watchlistsOrNull();
  } catch { return; }
  if (!lists || !lists.length) return;
  const parts = await Promise.all(lists.map((w) => api("/v1/watchlists/" + encodeURIComponent(w.id) + "/alerts?limit=5")
    .then((r) => ({ w, alerts: r.alerts || [] })).catch(() => ({ w, alerts: [] }))));
  const total = parts.reduce((n, p) => n + p.alerts.length, 0);
  if (!total) return;
  show(box, h("summary", {}, "Recent alerts from your watchlists (" + total + ")"),
    parts.filter((p) => p.alerts.length).map(({ w, alerts }) => {
      const handles = new Map((w.members || []).map((m) => [m.key, (m.ref && m.ref.handle) || m.key]));
      return h("div", {}, h("h3", {}, h("a", { href: "/watchlists/" + encodeURIComponent(w.id) }, w.name)),
        h("ul", { class: "evidence" }, alerts.map((a) => h("li", {}, day(a.at) + " · ",
          h("a", { href: creatorURL(a.creator_key) }, at(handles.get(a.creator_key) || a.creator_key)),
          " · " + label(a.kind) + ": " + a.message))));
    }));
  box.hidden = false;
}

function currentParams() {
  const p = new URLSearchParams(location.search);
  p.delete("format");
  p.delete("facets");
  return p;
}

// go makes p the page's state (in the URL) and searches.
function go(ctx, p, push) {
  const qs = p.toString();
  const url = location.pathname + (qs ? "?" + qs : "");
  if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
  fillForm(ctx, p);
  run(ctx);
}

function fieldId(name) { return "f-" + name.replace(/[^a-z0-9_]/gi, "_"); }

function unitOf(field) { return UNITS[field] || ["", ""]; }

function buildForm(ctx) {
  const { byName, keywordFields, rangeFields } = ctx;
  const form = h("form", { id: "search-form", role: "search", autocomplete: "off" });
  const q = h("div", { class: "field" },
    h("label", { for: "f-q" }, LABELS.q),
    h("div", { class: "row" },
      h("input", { id: "f-q", name: "q", type: "search", placeholder: "name, bio, posts", "data-param": "q" }),
      h("button", { type: "submit", id: "search-btn" }, "Search")));
  form.append(q);

  const more = h("details", { class: "more closable", id: "more-filters" }, h("summary", {}, "More filters"));
  for (const f of keywordFields) {
    const target = MAIN_KEYWORD.includes(f) ? form : more;
    target.append(keywordControl(f, byName[f]));
  }
  for (const f of rangeFields) {
    const target = MAIN_RANGE.includes(f) ? form : more;
    target.append(rangeControl(f, byName[f + "_min"], byName[f + "_max"]));
  }
  const sortSel = h("select", { id: "f-sort", "data-param": "sort" },
    h("option", { value: "" }, "best match (by relevance when searching text)"),
    ...byName.sort.schema.items.enum.map((s) => h("option", { value: s }, sortLabel(s))));
  const per = h("select", { id: "f-per_page", "data-param": "per_page" }, PER_PAGES.map((n) => h("option", { value: n }, n + " a page")));
  form.append(more,
    h("div", { class: "field" }, h("label", { for: "f-sort" }, "Sort by"), sortSel),
    h("div", { class: "field" }, h("label", { for: "f-per_page" }, "Results a page"), per),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Search"), h("button", { type: "reset", class: "secondary", id: "clear-btn" }, "Clear filters")));
  return form;
}

function sortLabel(s) {
  const desc = s.startsWith("-");
  const f = desc ? s.slice(1) : s;
  return (LABELS[f] || label(f)) + (desc ? ", highest first" : ", lowest first");
}

function keywordControl(f, p) {
  const enumVals = p.schema.items && p.schema.items.enum;
  const title = LABELS[f] || label(f);
  if (enumVals) {
    const fs = h("fieldset", { class: "kw", id: fieldId(f), "data-kw": f },
      h("legend", {}, title),
      h("div", { class: "opts" + (enumVals.length > 8 ? " scroll" : "") },
        enumVals.map((v) => h("label", { class: "opt" },
          h("input", { type: "checkbox", value: v, "data-kw-value": f }),
          h("span", {}, label(v)), h("span", { class: "count", "data-count": f + ":" + v })))));
    return fs;
  }
  // Free values (country, language, handle, URL): a text box of
  // comma-separated values, with the facet's values as quick picks.
  const id = fieldId(f);
  const hint = f === "country" ? "ISO codes, comma-separated (US, GB)" : f === "language" ? "ISO 639 codes, comma-separated (en, es)" : "comma-separated";
  return h("div", { class: "field" },
    h("label", { for: id }, title, h("span", { class: "unit" }, " — " + hint)),
    h("input", { id, "data-param": f, type: "text" }),
    h("div", { class: "picks", "data-picks": f }));
}

function rangeControl(f, pmin, pmax) {
  const [scale, unit] = unitOf(f);
  const title = LABELS[f] || label(f);
  const type = f === "updated_at" ? "date" : "number";
  const step = scale === 100 ? "0.1" : (unit.includes("0 to 1") ? "0.01" : "any");
  const mk = (bound, p) => h("input", {
    id: fieldId(f + "_" + bound), type, step: type === "number" ? step : undefined, inputmode: type === "number" ? "decimal" : undefined,
    "data-range": f, "data-bound": bound, "aria-label": title + " " + (bound === "min" ? "at least" : "at most") + (unit ? " (" + unit + ")" : ""),
    placeholder: bound === "min" ? "min" : "max", title: p ? p.description : "",
  });
  return h("fieldset", { class: "range", id: fieldId(f) },
    h("legend", {}, title, unit ? h("span", { class: "unit" }, " (" + unit + ")") : null),
    h("div", { class: "row" }, mk("min", pmin), h("span", { "aria-hidden": "true" }, "to"), mk("max", pmax)),
    h("div", { class: "stat", "data-stat": f }));
}

// toInput and fromInput convert between the API's unit and the one typed.
function toInput(f, v) {
  const [scale] = unitOf(f);
  if (f === "updated_at") return /^\d{4}-\d\d-\d\d/.test(v) ? v.slice(0, 10) : v;
  if (scale && v !== "" && !isNaN(+v)) return String(+((+v * scale).toPrecision(10)));
  return v;
}
function fromInput(f, v) {
  const [scale] = unitOf(f);
  if (scale && v !== "" && !isNaN(+v)) return String(+((+v / scale).toPrecision(10)));
  return v;
}

// formParams reads the form into the API's parameters.
function formParams(ctx) {
  const form = ctx.form;
  const p = new URLSearchParams();
  const q = form.querySelector("#f-q").value.trim();
  if (q) p.set("q", q);
  for (const fs of form.querySelectorAll("fieldset[data-kw]")) {
    const vals = [...fs.querySelectorAll("input:checked")].map((i) => i.value);
    if (vals.length) p.set(fs.dataset.kw, vals.join(","));
  }
  for (const i of form.querySelectorAll("input[data-param]")) {
    if (i.id === "f-q") continue;
    const v = i.value.split(",").map((s) => s.trim()).filter(Boolean).join(",");
    if (v) p.set(i.dataset.param, v);
  }
  for (const i of form.querySelectorAll("input[data-range]")) {
    const v = i.value.trim();
    if (v !== "") p.set(i.dataset.range + "_" + i.dataset.bound, fromInput(i.dataset.range, v));
  }
  const sort = form.querySelector("#f-sort").value;
  if (sort) p.set("sort", sort);
  const per = form.querySelector("#f-per_page").value;
  if (per && per !== "20") p.set("per_page", per);
  return p;
}

// fillForm shows the parameters p in the form.
function fillForm(ctx, p) {
  const form = ctx.form;
  form.querySelector("#f-q").value = p.get("q") || "";
  for (const fs of form.querySelectorAll("fieldset[data-kw]")) {
    const vals = (p.get(fs.dataset.kw) || "").split(",");
    for (const i of fs.querySelectorAll("input")) i.checked = vals.includes(i.value);
  }
  for (const i of form.querySelectorAll("input[data-param]")) {
    if (i.id !== "f-q") i.value = p.get(i.dataset.param) || "";
  }
  let moreUsed = false;
  for (const i of form.querySelectorAll("input[data-range]")) {
    const v = p.get(i.dataset.range + "_" + i.dataset.bound);
    i.value = v === null ? "" : toInput(i.dataset.range, v);
    if (v !== null && !MAIN_RANGE.includes(i.dataset.range)) moreUsed = true;
  }
  for (const f of ["engagement_label", "growth_trend", "handle", "profile_url"]) if (p.get(f)) moreUsed = true;
  if (moreUsed) form.querySelector("#more-filters").open = true;
  const sortSel = form.querySelector("#f-sort");
  const sort = p.get("sort") || "";
  if (sort && ![...sortSel.options].some((o) => o.value === sort)) sortSel.append(h("option", { value: sort }, sort));
  sortSel.value = sort;
  const per = p.get("per_page") || "20";
  const perSel = form.querySelector("#f-per_page");
  if (![...perSel.options].some((o) => o.value === per)) perSel.append(h("option", { value: per }, per + " a page"));
  perSel.value = per;
}

// run searches with the URL's parameters and shows the answer, unless a
// later search started meanwhile (its answer is the one shown).
async function run(ctx) {
  const p = currentParams();
  const my = ++seq;
  if (inflight) inflight.abort();
  const ac = new AbortController();
  inflight = ac;
  const { results } = ctx;
  results.setAttribute("aria-busy", "true");
  results.dataset.state = "loading";
  const status = results.querySelector(".state") || stateLine("");
  status.className = "state";
  status.textContent = "Searching…";
  if (!results.contains(status)) results.prepend(status);
  const q = new URLSearchParams(p);
  q.set("facets", FACETS.join(","));
  let res;
  try {
    res = await api("/v1/creators?" + q.toString(), { signal: ac.signal });
  } catch (e) {
    if (isAbort(e) || my !== seq) return;
    results.removeAttribute("aria-busy");
    results.dataset.state = "error";
    show(results, stateLine("The search failed: " + message(e), "error"));
    return;
  }
  if (my !== seq) return; // a later search is running: its answer wins
  inflight = null;
  lastResult = res;
  results.removeAttribute("aria-busy");
  render(ctx, p, res);
}

function render(ctx, p, res) {
  const { results } = ctx;
  updateFacets(ctx, res);
  const perPage = res.per_page || +(p.get("per_page") || 20);
  const page = res.page || +(p.get("page") || 1);
  const reachable = Math.min(res.total, MAX_DEPTH);
  const pages = Math.max(1, Math.ceil(reachable / perPage));
  const toolbar = actionsBar(ctx, p, res);
  if (!res.hits || res.hits.length === 0) {
    results.dataset.state = "empty";
    const words = res.total > 0
      ? "No creators on page " + page + ": the search has " + res.total + " results on " + pages + " page(s)."
      : "No creators match this search. Remove a filter or use fewer words.";
    const body = [stateLine(words, "empty")];
    if (res.total > 0) body.push(h("p", {}, h("a", { href: "?" + withPage(p, 1) }, "Go to the first page")));
    show(results, toolbar, ...body);
    return;
  }
  results.dataset.state = "done";
  const from = (page - 1) * perPage + 1;
  const to = from + res.hits.length - 1;
  const summary = h("p", { class: "state summary", id: "summary", role: "status" },
    "Showing " + num(from) + "–" + num(to) + " of " + num(res.total) + " creators" + (res.total > MAX_DEPTH ? " (the first " + num(MAX_DEPTH) + " can be paged through)" : "") + ".");
  show(results, toolbar, summary, table(ctx, p, res), pager(ctx, p, page, pages));
}

function withPage(p, n) {
  const q = new URLSearchParams(p);
  if (n <= 1) q.delete("page"); else q.set("page", String(n));
  return q.toString();
}

function table(ctx, p, res) {
  const sort = p.get("sort") || "";
  const head = h("tr", {},
    h("th", { scope: "col", class: "sel" }, h("input", { type: "checkbox", id: "select-page", "aria-label": "Select every creator on this page",
      onchange: (e) => { for (const hit of res.hits) e.target.checked ? selection.add(selItem(hit)) : selection.remove(hit.key); refreshChecks(ctx); } })),
    COLUMNS.map((c) => {
      if (!c.sort) return h("th", { scope: "col", class: c.cls || "" }, c.title);
      const dir = sort === c.sort ? "ascending" : sort === "-" + c.sort ? "descending" : null;
      const next = sort === "-" + c.sort ? c.sort : "-" + c.sort;
      const arrow = dir === "ascending" ? " ▲" : dir === "descending" ? " ▼" : "";
      return h("th", { scope: "col", class: "num " + (c.cls || ""), "aria-sort": dir || undefined },
        h("button", { type: "button", class: "sort", "data-sort": c.sort, title: "Sort by " + c.title.toLowerCase(),
          onclick: () => { const q = new URLSearchParams(p); q.set("sort", next); q.delete("page"); go(ctx, q, true); } }, c.title + arrow));
    }));
  const rows = res.hits.map((hit) => row(ctx, hit));
  const t = h("table", { class: "hits", id: "hits" }, h("thead", {}, head), h("tbody", {}, rows));
  setTimeout(() => refreshChecks(ctx), 0);
  return h("div", { class: "table-wrap" }, t);
}

function selItem(hit) {
  const pr = hit.profile || {};
  return { key: hit.key, name: pr.display_name || (pr.ref && pr.ref.handle) || hit.key, handle: pr.ref && pr.ref.handle };
}

function row(ctx, hit) {
  const pr = hit.profile || {};
  const s = hit.scores || {};
  const ref = pr.ref || {};
  const name = pr.display_name || ref.handle || hit.key;
  const cb = h("input", { type: "checkbox", class: "row-sel", value: hit.key, "aria-label": "Select " + name,
    onchange: (e) => { e.target.checked ? selection.add(selItem(hit)) : selection.remove(hit.key); refreshChecks(ctx); } });
  const who = h("div", { class: "who" }, avatar(pr),
    h("div", {}, h("a", { href: creatorURL(hit.key), class: "name" }, name), h("div", { class: "handle" }, at(ref.handle))));
  const td = (lab, v, cls) => h("td", { "data-label": lab, class: cls || "" }, v);
  return h("tr", { "data-key": hit.key },
    h("td", { class: "sel" }, cb),
    td("Creator", who, "creator"),
    td("Platform", label(ref.platform), "hide-s"),
    td("Niche", label(s.primary_niche || "—")),
    td("Tier", s.tier || "—"),
    td("Followers", num(pr.followers), "num"),
    td("Engagement", h("span", {}, pct(s.engagement_rate), s.engagement_label ? h("span", { class: "badge " + badgeClass(s.engagement_label) }, s.engagement_label) : null), "num"),
    td("Authenticity", score(s.authenticity), "num " + scoreClass(s.authenticity)),
    td("Growth 30d", s.growth_30d === undefined ? "—" : (s.growth_30d >= 0 ? "+" : "") + pct(s.growth_30d), "num"),
    td("Price / post", priceRange(s), "num"),
    td("Overall", score(s.overall), "num " + scoreClass(s.overall)));
}

export function badgeClass(l) {
  return l === "high" ? "good" : l === "low" ? "bad" : l === "suspiciously high" ? "warn" : "";
}
export function scoreClass(v) {
  if (v === undefined || v === null) return "";
  return v >= 70 ? "good" : v < 50 ? "bad" : "";
}

function refreshChecks(ctx) {
  const keys = new Set(selection.all().map((x) => x.key));
  for (const cb of ctx.results.querySelectorAll("input.row-sel")) cb.checked = keys.has(cb.value);
  const all = ctx.results.querySelector("#select-page");
  const boxes = [...ctx.results.querySelectorAll("input.row-sel")];
  if (all) all.checked = boxes.length > 0 && boxes.every((b) => b.checked);
  const bar = ctx.results.querySelector("#selection-bar");
  if (bar) fillSelectionBar(ctx, bar);
}

function actionsBar(ctx, p, res) {
  const sel = h("div", { class: "selbar", id: "selection-bar" });
  fillSelectionBar(ctx, sel);
  const exportBtn = h("button", { type: "button", class: "secondary", id: "export-csv", disabled: res.total === 0 || undefined }, "Export CSV");
  exportBtn.addEventListener("click", async () => {
    const q = new URLSearchParams(p);
    q.delete("page");
    q.delete("per_page");
    q.set("format", "csv");
    exportBtn.disabled = true;
    flash("Preparing the export of " + num(Math.min(res.total, MAX_DEPTH)) + " creators…");
    try {
      const r = await download("/v1/creators?" + q.toString(), "creators-" + new Date().toISOString().slice(0, 10) + ".csv");
      flash("Exported " + (r.total ? num(Math.min(+r.total, MAX_DEPTH)) : "the") + " creators as CSV" + (r.truncated ? " (the first 10,000 only)." : "."));
    } catch (e) {
      flash("The export failed: " + message(e), "error");
    } finally {
      exportBtn.disabled = false;
    }
  });
  const save = h("button", { type: "button", class: "secondary", id: "save-search", disabled: res.total === 0 || undefined }, "Save search as watchlist");
  save.addEventListener("click", async () => {
    let keys;
    try {
      const q = new URLSearchParams(p);
      q.set("per_page", "100");
      q.delete("page");
      keys = (await api("/v1/creators?" + q.toString())).hits.map((x) => x.key);
    } catch (e) {
      flash(message(e), "error");
      return;
    }
    const w = await addToWatchlistDialog(keys, savedSearch(p));
    if (w) flash("Saved as watchlist “" + w.name + "” with " + (w.members || []).length + " members.", "ok");
  });
  return h("div", { class: "toolbar" }, sel, h("div", { class: "row" }, exportBtn, save));
}

function fillSelectionBar(ctx, bar) {
  const sel = selection.all();
  if (!sel.length) {
    bar.replaceChildren(h("span", { class: "muted" }, "Tick creators to add them to a watchlist or compare them."));
    return;
  }
  const add = h("button", { type: "button", id: "add-to-watchlist" }, "Add to watchlist");
  add.addEventListener("click", async () => {
    const w = await addToWatchlistDialog(sel.map((x) => x.key));
    if (w) {
      flash("Added " + sel.length + " creator(s) to “" + w.name + "”.", "ok");
      selection.clear();
      refreshChecks(ctx);
    }
  });
  const cmp = h("a", { class: "button" + (sel.length < 2 || sel.length > 4 ? " disabled" : ""), id: "compare-selected",
    href: "/compare?keys=" + encodeURIComponent(sel.slice(0, 4).map((x) => x.key).join(",")),
    "aria-disabled": sel.length < 2 || sel.length > 4 ? "true" : undefined,
    title: "Compare 2 to 4 creators" }, "Compare");
  const clear = h("button", { type: "button", class: "secondary", onclick: () => { selection.clear(); refreshChecks(ctx); } }, "Clear");
  show(bar, h("span", { id: "selected-count" }, sel.length + " selected"), add, cmp, clear,
    sel.length > 4 ? h("span", { class: "muted" }, " (compare takes at most 4)") : null);
}

// savedSearch turns the page's parameters into the store's query (the
// watchlist's saved search re-run on every rescan).
function savedSearch(p) {
  const sub = [];
  const q = { q: p.get("q") || undefined };
  for (const [k, v] of p) {
    if (["q", "page", "per_page", "sort", "facets", "format"].includes(k)) continue;
    const m = k.match(/^(.*)_(min|max)$/);
    if (m && UNITS[m[1]] !== undefined) {
      let x = +v;
      if (isNaN(x)) x = Date.parse(v) / 1000;
      let f = sub.find((s) => s.op === "range" && s.field === m[1]);
      if (!f) { f = { op: "range", field: m[1] }; sub.push(f); }
      f[m[2]] = x;
      continue;
    }
    if (v === "-") sub.push({ op: "missing", field: k });
    else sub.push({ op: "in", field: k, values: v.split(",") });
  }
  if (sub.length === 1) q.filter = sub[0];
  else if (sub.length > 1) q.filter = { op: "and", sub };
  return q;
}

function pager(ctx, p, page, pages) {
  const link = (n, text, id, rel) => {
    if (n < 1 || n > pages || n === page) return h("span", { class: "button disabled", "aria-disabled": "true", id }, text);
    const a = h("a", { href: "?" + withPage(p, n), class: "button secondary", id, rel },
      text);
    a.addEventListener("click", (e) => {
      e.preventDefault();
      const q = new URLSearchParams(p);
      if (n <= 1) q.delete("page"); else q.set("page", String(n));
      go(ctx, q, true);
      window.scrollTo(0, 0);
    });
    return a;
  };
  return h("nav", { class: "pager", "aria-label": "Pages" },
    link(1, "« First", "page-first"), link(page - 1, "‹ Previous", "page-prev", "prev"),
    h("span", { id: "page-of" }, "Page " + page + " of " + pages),
    link(page + 1, "Next ›", "page-next", "next"), link(pages, "Last »", "page-last"));
}

function updateFacets(ctx, res) {
  const facets = res.facets || {};
  for (const el of ctx.form.querySelectorAll("[data-count]")) {
    const [f, v] = el.dataset.count.split(":");
    const c = facets[f] ? facets[f][v] : undefined;
    el.textContent = c === undefined ? "" : " " + num(c);
    el.closest(".opt").classList.toggle("zero", !c);
  }
  for (const box of ctx.form.querySelectorAll("[data-picks]")) {
    const f = box.dataset.picks;
    const vals = Object.entries(facets[f] || {}).sort((a, b) => b[1] - a[1]).slice(0, 12);
    box.replaceChildren(...vals.map(([v, c]) => h("button", { type: "button", class: "pick", "data-pick": f + ":" + v,
      onclick: () => {
        const input = ctx.form.querySelector("#" + fieldId(f));
        const cur = input.value.split(",").map((s) => s.trim()).filter(Boolean);
        if (!cur.includes(v)) cur.push(v);
        input.value = cur.join(",");
        ctx.form.requestSubmit();
      } }, v + " ", h("span", { class: "count" }, num(c)))));
  }
  for (const el of ctx.form.querySelectorAll("[data-stat]")) {
    const st = (res.stats || {})[el.dataset.stat];
    if (!st) { el.textContent = ""; continue; }
    const f = el.dataset.stat;
    const [scale] = unitOf(f);
    const fmt = (v) => scale ? +(v * scale).toFixed(1) + "%" : compact(v);
    el.textContent = "in these results: " + fmt(st.min) + " to " + fmt(st.max);
  }
}

export { lastResult };
