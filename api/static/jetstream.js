// The Bluesky stream page: the Jetstream consumer's progress (public
// counts from /jetstream/status) and the newest creators it discovered, each
// linking to its page (/jetstream/recent, with the API key). It reads
// both again every few seconds while open.

import { api, h, show, stateLine, message, num, when, label, at, creatorURL } from "./lib.js";

const every = 3000;

export async function jetstreamPage(root) {
  const status = h("section", { id: "js-status", "aria-live": "polite" }, stateLine("Loading…"));
  const recent = h("section", { id: "js-recent" });
  show(root, h("h1", {}, "Bluesky stream"),
    h("p", { class: "muted" }, "Creators discovered live on Bluesky's public event stream: every account posting, followed or reposted is looked up; those over the follower floor or writing in a chosen niche are tracked (their counts read daily), and those new to CreatorScout are crawled once."),
    status, recent);
  const tick = async () => {
    await Promise.all([showStatus(status), showRecent(recent)]);
    if (root.contains(status)) setTimeout(tick, every);
  };
  await tick();
}

async function showStatus(el) {
  let p;
  try {
    const res = await fetch("/jetstream/status", { headers: { Accept: "application/json" } });
    if (res.status === 404) { show(el, stateLine("This server does not show the stream.", "empty")); return; }
    if (!res.ok) throw new Error(String(res.status));
    p = await res.json();
  } catch {
    show(el, stateLine("The stream's progress could not be read; trying again.", "error"));
    return;
  }
  if (!p.running) {
    show(el, stateLine("No process is reading the stream. Set SCOUT_JETSTREAM_URL and run scout all, scout worker or scout track.", "empty"));
    return;
  }
  const kpi = (v, text, id) => h("div", { class: "kpi", id }, h("b", {}, v), h("span", {}, text));
  const f1 = (x) => (x || 0).toFixed(1);
  show(el,
    h("p", { id: "js-line" }, (p.connected ? "Reading " + p.endpoint : "Reconnecting") + " · updated " + when(p.updated_at)),
    h("div", { class: "kpis" },
      kpi(f1(p.events_per_second), "events a second", "js-rate"),
      kpi(f1(p.lag_seconds), "seconds behind", "js-lag"),
      kpi(num(p.events), "events read"),
      kpi(num(p.discovered), "creators discovered", "js-discovered"),
      kpi(num(p.tracked), "creators tracked", "js-tracked"),
      kpi(num(p.lookups) + " (" + num(p.looked_up) + ")", "profile lookups (accounts)"),
      kpi(num(p.snapshots), "count-only snapshots"),
      kpi(num(p.spike_crawls), "crawls for a spike or niche change"),
      kpi(num(p.erased), "erased (account ended, opted out)"),
      kpi(num(p.reconnects), "reconnections")),
    p.last_error ? h("p", { class: "muted" }, "Last error: " + p.last_error) : null,
    h("p", { class: "muted" }, "JSON: ", h("a", { href: "/jetstream/status" }, "/jetstream/status"), " · metrics: scout_jetstream_* at /metrics"));
}

async function showRecent(el) {
  let doc;
  try {
    doc = await api("/jetstream/recent");
  } catch (e) {
    show(el, h("h2", {}, "Newest creators discovered"), stateLine(message(e), "error"));
    return;
  }
  const list = doc.creators || [];
  if (!list.length) {
    show(el, h("h2", {}, "Newest creators discovered"), stateLine("No creator discovered on the stream yet.", "empty"));
    return;
  }
  show(el, h("h2", {}, "Newest creators discovered"),
    h("table", { class: "plain", id: "js-recent-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Creator"), h("th", { scope: "col", class: "num" }, "Followers"),
        h("th", { scope: "col" }, "Primary niche"), h("th", { scope: "col" }, "Found"))),
      h("tbody", {}, list.map((c) => h("tr", { "data-key": c.key },
        h("td", { "data-label": "Creator" }, c.crawled
          ? h("a", { href: creatorURL(c.key) }, at(c.handle) || c.key)
          : h("span", {}, at(c.handle) || c.key),
        c.display_name ? h("span", { class: "muted" }, " " + c.display_name) : null),
        h("td", { "data-label": "Followers", class: "num" }, num(c.followers)),
        h("td", { "data-label": "Primary niche" }, c.crawled ? (label(c.primary_niche) || "—") : h("span", { class: "muted" }, "crawl queued")),
        h("td", { "data-label": "Found" }, when(c.found_at)))))));
}
