// The discover page: starts a discover job, follows its progress until it
// is done, then lists what it found. The job's id is in the URL, so a
// reload follows the same job.

import { at, show, api, h, message, stateLine, label, creatorURL, openAPI, num } from "./lib.js";

let timer = null;

export async function discoverPage(root) {
  let sources = ["bluesky"];
  try {
    const spec = await openAPI();
    sources = spec.components.schemas.DiscoverRequest.properties.source.enum || sources;
  } catch { /* bluesky only */ }
  const q = h("input", { id: "disc-q", required: true, maxlength: "256", autocomplete: "off", placeholder: "e.g. vegan recipes" });
  const src = h("select", { id: "disc-source" }, sources.map((s) => h("option", { value: s }, label(s))));
  const limit = h("input", { id: "disc-limit", type: "number", min: "1", max: "1000", value: "20" });
  const err = h("p", { class: "error", hidden: true, role: "alert" });
  const out = h("section", { id: "job", "aria-live": "polite" });
  const form = h("form", { class: "card", id: "discover-form" },
    h("p", {}, "Find creators on a platform by what they post about. They are crawled and scored, then appear in the search."),
    h("div", { class: "field" }, h("label", { for: "disc-q" }, "What to look for"), q),
    h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "disc-source" }, "Platform"), src),
      h("div", { class: "field" }, h("label", { for: "disc-limit" }, "At most (creators)"), limit)),
    err, h("button", { type: "submit", id: "disc-submit" }, "Discover"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.hidden = true;
    const n = +limit.value;
    if (!q.value.trim()) { err.hidden = false; err.textContent = "Type what to look for."; return; }
    if (!Number.isInteger(n) || n < 1 || n > 1000) { err.hidden = false; err.textContent = "“At most” takes a whole number from 1 to 1000."; return; }
    try {
      const job = await api("/v1/discover", { method: "POST", body: { source: src.value, query: q.value.trim(), limit: n } });
      history.pushState(null, "", "/discover?job=" + encodeURIComponent(job.id));
      follow(out, job.id);
    } catch (ex) {
      err.hidden = false;
      err.textContent = ex.status === 503 ? "This server does not run discover jobs." : message(ex);
    }
  });
  show(root, h("h1", {}, "Discover creators"), form, out);
  const id = new URLSearchParams(location.search).get("job");
  if (id) follow(out, id);
  window.addEventListener("popstate", () => { const j = new URLSearchParams(location.search).get("job"); if (j) follow(out, j); else show(out, ); });
}

// follow polls the job each second and shows its progress, then results.
async function follow(out, id) {
  clearTimeout(timer);
  const mine = {};
  follow.current = mine;
  let job;
  try {
    job = await api("/v1/jobs/" + encodeURIComponent(id));
  } catch (e) {
    if (follow.current !== mine) return;
    show(out, stateLine(e.status === 404 ? "There is no such job." : "The job's progress could not be read: " + message(e), "error"));
    if (e.status !== 404) timer = setTimeout(() => follow(out, id), 3000);
    return;
  }
  if (follow.current !== mine) return;
  const c = job.counts || {};
  const handled = (c.done || 0) + (c.failed || 0) + (c.skipped || 0);
  const total = Math.max(job.discovered || 0, handled + (c.pending || 0));
  const finished = ["done", "failed", "cancelled", "canceled"].includes(job.state);
  const bar = h("i");
  bar.style.width = (finished ? 100 : total ? (100 * handled) / total : 5) + "%";
  const req = job.request || {};
  const items = job.items || [];
  show(out, h("div", { class: "card", "data-state": job.state, id: "job-card" },
    h("h2", {}, "“" + (req.query || "") + "” on " + label(req.source || "")),
    h("p", { id: "job-status" }, stateWords(job.state) + " · found " + num(job.discovered || 0) + " · crawled " + num(c.done || 0) +
      " · skipped " + num(c.skipped || 0) + " · failed " + num(c.failed || 0) + " · waiting " + num(c.pending || 0)),
    h("div", { class: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": String(total || 1), "aria-valuenow": String(handled) }, bar),
    job.error ? stateLine(job.error, "error") : null,
    finished && items.length ? h("table", { class: "plain", id: "job-items" },
      h("thead", {}, h("tr", {}, ["Creator", "State", "Note"].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, items.map((it) => h("tr", {},
        h("td", { "data-label": "Creator" }, it.state === "done" || it.state === "skipped" ? h("a", { href: creatorURL(it.key) }, at((it.ref && it.ref.handle) || it.key)) : at((it.ref && it.ref.handle) || it.key)),
        h("td", { "data-label": "State" }, label(it.state)),
        h("td", { "data-label": "Note" }, it.error || ""))))) : null,
    finished && !items.length ? stateLine("No creators were found for this search.", "empty") : null,
    finished ? h("p", {}, h("a", { href: "/?q=" + encodeURIComponent(req.query || "") }, "Search the stored creators for “" + (req.query || "") + "”")) : null));
  if (!finished) timer = setTimeout(() => follow(out, id), 1000);
}

function stateWords(s) {
  return { queued: "Waiting to start", running: "Running", done: "Done", failed: "Failed" }[s] || label(s);
}
