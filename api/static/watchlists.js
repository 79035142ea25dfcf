// Watchlist pages: the list (with a form for a new one) and one watchlist
// with its members, cadence, rules, webhooks, saved search and alerts.

import {
  api, h, message, stateLine, flash, when, day, label, creatorURL, download, openAPI, num,
  show, at,
} from "./lib.js";

export async function watchlistsPage(root) {
  show(root, stateLine("Loading the watchlists…"));
  let lists;
  try {
    lists = (await api("/v1/watchlists")).watchlists || [];
  } catch (e) {
    show(root, stateLine(e.status === 503 ? "This server does not keep watchlists." : "The watchlists could not be loaded: " + message(e), "error"));
    return;
  }
  const name = h("input", { id: "new-wl-name", required: true, autocomplete: "off", placeholder: "e.g. Spring campaign" });
  const cadence = h("select", { id: "new-wl-cadence" }, ["daily", "weekly", "hourly"].map((c) => h("option", { value: c }, c)));
  const err = h("p", { class: "error", hidden: true, role: "alert" });
  const form = h("form", { class: "card", id: "new-wl" }, h("h2", {}, "New watchlist"),
    h("div", { class: "row" },
      h("label", { for: "new-wl-name" }, "Name"), name,
      h("label", { for: "new-wl-cadence" }, "Rescan"), cadence,
      h("button", { type: "submit" }, "Create")), err,
    h("p", { class: "muted" }, "Add creators from the search page (tick rows, then “Add to watchlist”) or save a whole search as a watchlist."));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.hidden = true;
    try {
      const w = await api("/v1/watchlists", { method: "POST", body: { name: name.value.trim(), cadence: cadence.value, members: [] } });
      location.href = "/watchlists/" + encodeURIComponent(w.id);
    } catch (ex) {
      err.hidden = false;
      err.textContent = message(ex);
    }
  });
  const table = lists.length
    ? h("table", { class: "plain", id: "watchlists" },
      h("thead", {}, h("tr", {}, ["Name", "Members", "Rescan", "Saved search", "Last rescan", "Next rescan"].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, lists.map((w) => h("tr", { "data-id": w.id },
        h("td", { "data-label": "Name" }, h("a", { href: "/watchlists/" + encodeURIComponent(w.id) }, w.name)),
        h("td", { "data-label": "Members", class: "num" }, num((w.members || []).length)),
        h("td", { "data-label": "Rescan" }, w.cadence || "daily"),
        h("td", { "data-label": "Saved search" }, w.saved_search ? "yes" : "no"),
        h("td", { "data-label": "Last rescan" }, when(w.last_run_at)),
        h("td", { "data-label": "Next rescan" }, when(w.next_run_at))))))
    : stateLine("No watchlists yet.", "empty");
  show(root, h("h1", {}, "Watchlists"), table, form);
}

const RULES = [
  ["authenticity_below", "Alert when authenticity falls below", "score 0–100"],
  ["authenticity_drop", "Alert when authenticity drops by", "points"],
  ["engagement_drop_pct", "Alert when engagement drops by", "%"],
  ["quiet_days", "Alert after this many days without a post", "days"],
];
const SWITCHES = [
  ["disable_spike", "No follower-spike alerts"],
  ["disable_undisclosed", "No undisclosed-sponsorship alerts"],
  ["disable_niche_change", "No niche-change alerts"],
];

export async function watchlistPage(root, id) {
  show(root, stateLine("Loading the watchlist…"));
  const path = "/v1/watchlists/" + encodeURIComponent(id);
  let w, members;
  try {
    [w, members] = await Promise.all([api(path), api(path + "/members").then((r) => r.members || [])]);
  } catch (e) {
    show(root, stateLine(e.status === 404 ? "There is no such watchlist; it may have been deleted." : "The watchlist could not be loaded: " + message(e), "error"),
      h("p", {}, h("a", { href: "/watchlists" }, "All watchlists")));
    return;
  }
  document.title = w.name + " · CreatorScout";
  const handles = new Map(members.map((m) => [m.key, (m.ref && m.ref.handle) || m.key]));

  const exportBtn = h("button", { type: "button", class: "secondary", id: "export-members" }, "Export members as CSV");
  exportBtn.addEventListener("click", async () => {
    try {
      await download(path + "/members?format=csv", "watchlist-" + w.id + ".csv");
      flash("Exported " + members.length + " members as CSV.", "ok");
    } catch (e) { flash("The export failed: " + message(e), "error"); }
  });
  const del = h("button", { type: "button", class: "danger", id: "delete-watchlist" }, "Delete watchlist");
  del.addEventListener("click", async () => {
    if (!confirm("Delete “" + w.name + "” and its alerts?")) return;
    try {
      await api(path, { method: "DELETE" });
      location.href = "/watchlists";
    } catch (e) { flash(message(e), "error"); }
  });

  const memberRows = members.map((m) => {
    const rm = h("button", { type: "button", class: "danger", "data-remove": m.key }, "Remove");
    rm.addEventListener("click", async () => {
      rm.disabled = true;
      try {
        await api(path + "/members/" + encodeURIComponent(m.key), { method: "DELETE" });
        flash("Removed " + at(handles.get(m.key)) + ".", "ok");
        watchlistPage(root, id);
      } catch (e) { rm.disabled = false; flash(message(e), "error"); }
    });
    return h("tr", { "data-key": m.key },
      h("td", { "data-label": "Creator" }, h("a", { href: creatorURL(m.key) }, at(handles.get(m.key)))),
      h("td", { "data-label": "Platform" }, label(m.ref && m.ref.platform)),
      h("td", { "data-label": "Added" }, when(m.added_at)),
      h("td", { "data-label": "Added by" }, label(m.source)),
      h("td", { "data-label": "" }, rm));
  });
  const cmpKeys = members.slice(0, 4).map((m) => m.key);
  const membersBox = h("section", { class: "card", id: "members" },
    h("h2", {}, "Members (" + members.length + ")"),
    members.length ? h("table", { class: "plain" },
      h("thead", {}, h("tr", {}, ["Creator", "Platform", "Added", "Added by", ""].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, memberRows)) : stateLine("No members yet. Add creators from the search page.", "empty"),
    h("div", { class: "row" }, exportBtn,
      members.length >= 2 ? h("a", { class: "button secondary", href: "/compare?keys=" + encodeURIComponent(cmpKeys.join(",")) }, "Compare the first " + cmpKeys.length) : null));

  show(root, 
    h("p", {}, h("a", { href: "/watchlists" }, "← All watchlists")),
    h("h1", { id: "wl-name" }, w.name),
    h("dl", { class: "kv card" },
      h("dt", {}, "Rescan"), h("dd", {}, w.cadence || "daily"),
      h("dt", {}, "Last rescan"), h("dd", {}, when(w.last_run_at)),
      h("dt", {}, "Next rescan"), h("dd", {}, when(w.next_run_at)),
      h("dt", {}, "Saved search"), h("dd", {}, w.saved_search ? savedSearchLink(w.saved_search) : "none"),
      h("dt", {}, "Webhooks"), h("dd", {}, (w.webhooks || []).length ? (w.webhooks || []).map((x) => h("div", {}, x.url + " (secret " + (x.secret || "none") + ")")) : "none"),
      h("dt", {}, "Created"), h("dd", {}, when(w.created_at) + (w.created_by ? " by " + w.created_by : "")),
      h("dt", {}, "Updated"), h("dd", {}, when(w.updated_at) + (w.updated_by ? " by " + w.updated_by : ""))),
    membersBox,
    await alertsBox(path, handles),
    settingsForm(path, w, () => watchlistPage(root, id)),
    h("p", {}, del));
}

// savedSearchLink links to the search page showing the saved search.
function savedSearchLink(q) {
  const p = new URLSearchParams();
  if (q.q) p.set("q", q.q);
  const walk = (f) => {
    if (!f) return;
    if (f.op === "and") { (f.sub || []).forEach(walk); return; }
    if (f.op === "in" || f.op === "eq") p.set(f.field, (f.values || []).join(","));
    else if (f.op === "missing") p.set(f.field, "-");
    else if (f.op === "range") {
      if (f.min !== undefined && f.min !== null) p.set(f.field + "_min", String(f.min));
      if (f.max !== undefined && f.max !== null) p.set(f.field + "_max", String(f.max));
    }
  };
  walk(q.filter);
  const text = [...p].map(([k, v]) => k + "=" + v).join(", ") || "every creator";
  return h("a", { href: "/?" + p.toString() }, text);
}

async function alertsBox(path, handles) {
  let kinds = [];
  try {
    const spec = await openAPI();
    const ps = spec.paths["/v1/watchlists/{id}/alerts"].get.parameters;
    kinds = ps.find((p) => p.name === "kind").schema.enum;
  } catch { /* the filter lists no kinds */ }
  const url = new URL(location.href);
  const kind = url.searchParams.get("kind") || "";
  const sel = h("select", { id: "alert-kind" }, h("option", { value: "" }, "every kind"), kinds.map((k) => h("option", { value: k }, label(k))));
  sel.value = kinds.includes(kind) ? kind : "";
  const list = h("div", { id: "alerts-list", "aria-live": "polite" });
  const box = h("section", { class: "card", id: "alerts" }, h("h2", {}, "Alerts"),
    h("div", { class: "row" }, h("label", { for: "alert-kind" }, "Show"), sel), list);
  let seq = 0;
  const load = async () => {
    const my = ++seq;
    show(list, stateLine("Loading the alerts…"));
    const q = new URLSearchParams({ limit: "200" });
    if (sel.value) q.set("kind", sel.value);
    try {
      const r = await api(path + "/alerts?" + q.toString());
      if (my !== seq) return;
      const as = r.alerts || [];
      if (!as.length) { show(list, stateLine(sel.value ? "No " + label(sel.value) + " alerts." : "No alerts yet.", "empty")); return; }
      show(list, h("table", { class: "plain" },
        h("thead", {}, h("tr", {}, ["When", "Creator", "Kind", "What happened", "Webhook"].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, as.map((a) => h("tr", { "data-kind": a.kind },
          h("td", { "data-label": "When" }, day(a.at)),
          h("td", { "data-label": "Creator" }, h("a", { href: creatorURL(a.creator_key) }, at(handles.get(a.creator_key) || a.creator_key))),
          h("td", { "data-label": "Kind" }, label(a.kind)),
          h("td", { "data-label": "What happened" }, a.message),
          h("td", { "data-label": "Webhook" }, label(a.delivery_state || "—")))))));
    } catch (e) {
      if (my === seq) show(list, stateLine("The alerts could not be loaded: " + message(e), "error"));
    }
  };
  sel.addEventListener("change", () => {
    const u = new URL(location.href);
    if (sel.value) u.searchParams.set("kind", sel.value); else u.searchParams.delete("kind");
    history.replaceState(null, "", u);
    load();
  });
  load();
  return box;
}

function settingsForm(path, w, reload) {
  const rules = w.rules || {};
  const cadence = h("input", { id: "wl-cadence-edit", value: w.cadence || "daily", autocomplete: "off" });
  const inputs = RULES.map(([k, text, unit]) => {
    const i = h("input", { id: "rule-" + k, type: "number", step: "any", min: "0", placeholder: "default" });
    if (rules[k] !== undefined && rules[k] !== null) i.value = rules[k];
    return [k, i, h("div", { class: "field" }, h("label", { for: "rule-" + k }, text + " (" + unit + ")"), i)];
  });
  const switches = SWITCHES.map(([k, text]) => {
    const c = h("input", { type: "checkbox", id: "rule-" + k });
    c.checked = !!rules[k];
    return [k, c, h("label", { class: "opt" }, c, text)];
  });
  const err = h("p", { class: "error", hidden: true, role: "alert" });
  const form = h("form", { class: "card", id: "wl-settings" }, h("h2", {}, "Rescan and alert rules"),
    h("div", { class: "field" }, h("label", { for: "wl-cadence-edit" }, "Rescan (daily, weekly, hourly, a duration like 12h, or a cron line)"), cadence),
    inputs.map((x) => x[2]), switches.map((x) => x[2]), err,
    h("button", { type: "submit" }, "Save rules"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.hidden = true;
    const r = {};
    for (const [k, i] of inputs) {
      if (i.value.trim() === "") continue;
      const v = +i.value;
      if (isNaN(v) || v < 0) { err.hidden = false; err.textContent = "“" + i.labels[0].textContent + "” needs a number of 0 or more."; return; }
      r[k] = v;
    }
    for (const [k, c] of switches) if (c.checked) r[k] = true;
    try {
      await api(path, { method: "PATCH", body: { cadence: cadence.value.trim(), rules: r } });
      flash("Rules saved.", "ok");
      reload();
    } catch (ex) {
      err.hidden = false;
      err.textContent = message(ex);
    }
  });
  return form;
}
