// The creator page: profile, niches with evidence, charts over the stored
// history with spikes and alerts marked, recent posts, comment samples,
// the audience breakdown and every sub-score with its evidence.

import {
  api, h, message, num, pct, score, priceRange, label, when, day, avatar, stateLine, flash,
  selection, watchlistsOrNull, addToWatchlistDialog, compact, creatorURL,
  show, at,
} from "./lib.js";
import { lineChart } from "./chart.js";

const PLATFORM_NAMES = { bluesky: "Bluesky", mastodon: "Mastodon", youtube: "YouTube", twitch: "Twitch", instagram: "Instagram", web: "the web" };

export async function creatorPage(root, key) {
  show(root, stateLine("Loading the creator…"));
  let rec;
  try {
    rec = await api("/v1/creators/" + encodeURIComponent(key));
  } catch (e) {
    show(root, stateLine(e.status === 404 ? "No creator is stored under this address. It may have been removed or opted out." : "The creator could not be loaded: " + message(e), "error"),
      h("p", {}, h("a", { href: "/" }, "Back to the search")));
    return;
  }
  const [hist, alerts] = await Promise.all([
    api("/v1/creators/" + encodeURIComponent(key) + "/history").then((r) => r.snapshots || []).catch(() => null),
    creatorAlerts(key).catch(() => []),
  ]);
  const pr = rec.profile || {};
  const s = rec.scores || {};
  document.title = (pr.display_name || (pr.ref && pr.ref.handle) || key) + " · CreatorScout";
  show(root, 
    head(rec),
    kpis(rec),
    h("h2", {}, "History"),
    charts(rec, hist, alerts),
    alerts.length ? alertList(alerts) : null,
    h("div", { class: "grid2" },
      h("div", {}, niches(s), audience(rec)),
      h("div", {}, posts(rec), comments(rec))),
    subscores(s),
  );
}

async function creatorAlerts(key) {
  const lists = await watchlistsOrNull();
  if (!lists) return [];
  const mine = lists.filter((w) => (w.members || []).some((m) => m.key === key));
  const res = await Promise.all(mine.map((w) => api("/v1/watchlists/" + encodeURIComponent(w.id) + "/alerts?creator=" + encodeURIComponent(key) + "&limit=100")
    .then((r) => (r.alerts || []).map((a) => Object.assign(a, { watchlist: w.name }))).catch(() => [])));
  return res.flat().sort((a, b) => (a.at < b.at ? 1 : -1));
}

function head(rec) {
  const pr = rec.profile || {};
  const ref = pr.ref || {};
  const name = pr.display_name || ref.handle || rec.key;
  const cmp = h("button", { type: "button", class: "secondary", id: "toggle-compare" });
  const syncCmp = () => { cmp.textContent = selection.has(rec.key) ? "Remove from compare" : "Add to compare"; };
  syncCmp();
  cmp.addEventListener("click", () => {
    if (selection.has(rec.key)) selection.remove(rec.key);
    else selection.add({ key: rec.key, name, handle: ref.handle });
    syncCmp();
    flash(selection.all().length + " creator(s) picked to compare.", "ok");
  });
  const add = h("button", { type: "button", id: "creator-add-watchlist" }, "Add to watchlist");
  add.addEventListener("click", async () => {
    const w = await addToWatchlistDialog([rec.key]);
    if (w) flash("Added to “" + w.name + "”.", "ok");
  });
  const links = (pr.links || []).map((l) => {
    const href = /^https?:\/\//i.test(l) ? l : "https://" + l;
    return h("a", { href, rel: "noopener noreferrer nofollow", target: "_blank" }, l);
  });
  return h("section", { class: "card profile-head" },
    avatar(pr, "big"),
    h("div", { class: "meta" },
      h("h1", { id: "creator-name" }, name),
      h("div", { class: "handle" }, (at(ref.handle) || ref.id || "") + " · " + (PLATFORM_NAMES[ref.platform] || ref.platform || "")),
      pr.url ? h("p", {}, h("a", { href: pr.url, id: "profile-link", rel: "noopener noreferrer", target: "_blank" }, "Open the profile on " + (PLATFORM_NAMES[ref.platform] || "its platform") + " ↗")) : null,
      pr.bio ? h("p", { class: "bio" }, pr.bio) : null,
      links.length ? h("p", { class: "muted" }, "Links: ", ...links.flatMap((a, i) => (i ? [", ", a] : [a]))) : null,
      h("p", { class: "asof", id: "as-of" },
        "Profile as of " + when(pr.fetched_at) + " · scores computed " + when((rec.scores || {}).computed_at) +
        " · first seen " + when(rec.first_seen) + " · updated " + when(rec.updated_at)),
      h("div", { class: "row" }, add, cmp)));
}

function kpis(rec) {
  const pr = rec.profile || {};
  const s = rec.scores || {};
  const k = (v, l, cls) => h("div", { class: "kpi" }, h("b", { class: cls || "" }, v), h("span", {}, l));
  return h("section", { class: "kpis", "aria-label": "Key figures" },
    k(num(pr.followers), "followers"),
    k(s.tier || "—", "tier"),
    k(pct(s.engagement_rate, 2), "engagement rate" + (s.engagement_label ? " (" + s.engagement_label + ")" : "")),
    k(score(s.authenticity), "authenticity / 100", s.authenticity < 50 ? "bad" : s.authenticity >= 70 ? "good" : ""),
    k(pct(s.fake_follower_share), "fake followers (est.)"),
    k((s.growth_30d >= 0 ? "+" : "") + pct(s.growth_30d), "followers, 30 days" + (s.growth_trend ? " (" + s.growth_trend + ")" : "")),
    k(priceRange(s), "price a sponsored post"),
    k(score(s.overall), "overall / 100 (confidence " + (s.confidence === undefined ? "—" : Math.round(s.confidence * 100) + "%") + ")"));
}

// spikes reads the growth sub-score's spike evidence: "between A and B".
function spikes(s) {
  const out = [];
  const g = (s.details || []).find((d) => d.name === "growth");
  for (const e of (g && g.evidence) || []) {
    if (e.signal !== "spike_suspicious" && e.signal !== "spike_viral") continue;
    const m = (e.text || "").match(/between (\d{4}-\d\d-\d\d) and (\d{4}-\d\d-\d\d)/);
    if (!m) continue;
    out.push({ t: new Date(m[2] + "T12:00:00Z"), kind: e.signal === "spike_viral" ? "viral" : "suspicious", text: e.text });
  }
  return out;
}

function charts(rec, hist, alerts) {
  const s = rec.scores || {};
  if (hist === null) return stateLine("The history could not be loaded.", "error");
  const snaps = hist.length ? hist : [];
  const pts = (f) => snaps.map((x) => ({ t: new Date(x.at), v: x[f] }));
  const marks = spikes(s).concat(alerts.map((a) => ({ t: new Date(a.at), kind: "alert", text: label(a.kind) + ": " + a.message })));
  const followerMarks = marks;
  const authMarks = marks.filter((m) => m.kind !== "viral");
  return h("section", { class: "charts", id: "charts" },
    lineChart({ id: "chart-followers", title: "Followers", points: pts("followers"), fmt: compact, markers: followerMarks }),
    lineChart({ id: "chart-engagement", title: "Engagement rate", points: pts("engagement_rate"), fmt: (v) => pct(v, 2), markers: marks.filter((m) => m.kind !== "suspicious"), color: "#7c3aed" }),
    lineChart({ id: "chart-authenticity", title: "Authenticity", points: pts("authenticity"), fmt: (v) => Math.round(v).toString(), markers: authMarks, color: "#0f766e", domain: [0, 100] }));
}

function alertList(alerts) {
  return h("section", { class: "card", id: "creator-alerts" }, h("h3", {}, "Alerts (" + alerts.length + ")"),
    h("ul", { class: "evidence" }, alerts.slice(0, 20).map((a) => h("li", {}, h("b", {}, label(a.kind)), " · " + day(a.at) + " · " + a.message + " (watchlist “" + a.watchlist + "”)"))));
}

// niches draws the primary niche and the others that are probable
// (relevance 0.5 or more: the scores are calibrated so), and names on one
// muted line up to three less likely ones that are still worth a look
// (0.2 or more); fainter readings are left to the API.
function niches(s) {
  const all = (s.niches || []).slice(0, 8);
  const list = all.filter((n) => n.niche === s.primary_niche || +n.relevance >= 0.5);
  const rest = all.filter((n) => !list.includes(n) && +n.relevance >= 0.2).slice(0, 3);
  const d = (s.details || []).find((x) => x.name === "niche");
  return h("section", { class: "card", id: "niches" }, h("h2", {}, "Niches"),
    d && d.summary ? h("p", {}, d.summary) : null,
    list.length ? list.flatMap((n) => [
      h("div", { class: "niche" }, h("span", {}, label(n.niche) + (n.niche === s.primary_niche ? " (primary)" : "")),
        bar(n.relevance), h("span", { class: "num" }, (+n.relevance).toFixed(2))),
      n.terms && n.terms.length ? h("div", { class: "terms" }, "evidence: " + n.terms.slice(0, 8).map((x) => "“" + x + "”").join(", ")) : null,
    ]) : h("p", { class: "muted" }, "No niche evidence yet."),
    rest.length ? h("p", { class: "muted" }, "Less likely: " + rest.map((n) => label(n.niche) + " " + (+n.relevance).toFixed(2)).join(", ") + ".") : null);
}

// bar is a relevance bar (0 to 1), its width set through the CSSOM (the
// page's CSP refuses style attributes).
function bar(v) {
  const i = h("i");
  i.style.width = Math.max(0, Math.min(1, +v || 0)) * 100 + "%";
  return h("div", { class: "bar", role: "img", "aria-label": "relevance " + (+v).toFixed(2) }, i);
}

function audience(rec) {
  const s = rec.scores || {};
  const pr = rec.profile || {};
  const d = (s.details || []).find((x) => x.name === "audience");
  const ev = (sig) => ((d && d.evidence) || []).find((e) => e.signal === sig);
  const share = ev("fake_share"), lo = ev("fake_share_low"), hi = ev("fake_share_high"), counted = ev("counted_accounts");
  const handles = new Map();
  for (const a of pr.audience || []) handles.set(a.id, a.handle);
  for (const c of pr.comments || []) if (c.author) handles.set(c.author.id, c.author.handle);
  const sus = ((d && d.evidence) || []).filter((e) => e.signal === "likely_fake_account").map((e) => {
    const m = (e.text || "").match(/Account (\S+) is (\d+)% likely fake \(strongest sign: ([^)]+)\)/);
    const named = m && m[1].startsWith("@") ? m[1].slice(1) : "";
    const id = e.account_id || (m && !named ? m[1] : "");
    const handle = handles.get(id) || named;
    return m ? { id, prob: m[2], sign: m[3], handle } : { id, prob: Math.round(e.value * 100), sign: e.text || "", handle };
  });
  const profileURL = (hd) => (pr.ref && pr.ref.platform === "bluesky" && hd ? "https://bsky.app/profile/" + hd : null);
  return h("section", { class: "card", id: "audience" }, h("h2", {}, "Audience"),
    share ? h("p", { id: "fake-share" }, h("b", {}, pct(share.value) + " fake or spam"), " (likely between " + pct(lo ? lo.value : undefined, 0) + " and " + pct(hi ? hi.value : undefined, 0) + ", " + (share.sample_size || "?") + " followers sampled" + (counted ? ", " + counted.value + " of them with their counts" : "") + ")")
      : h("p", { class: "muted" }, "No audience sample yet."),
    d && d.summary ? h("p", { class: "muted" }, d.summary) : null,
    sus.length ? h("h3", {}, "Suspicious accounts") : null,
    sus.length ? h("ul", { class: "sus-list", id: "suspicious" }, sus.map((x) => {
      const u = profileURL(x.handle);
      const who = x.handle ? (u ? h("a", { href: u, rel: "noopener noreferrer", target: "_blank" }, "@" + x.handle) : h("b", {}, "@" + x.handle)) : h("span", {}, "an account whose handle was not kept");
      return h("li", {}, who, " — " + x.prob + "% likely fake; strongest sign: " + x.sign);
    })) : null);
}

function posts(rec) {
  const pr = rec.profile || {};
  const list = (pr.posts || []).slice().sort((a, b) => (a.created_at < b.created_at ? 1 : -1)).slice(0, 12);
  return h("section", { class: "card", id: "posts" }, h("h2", {}, "Recent posts"),
    list.length ? list.map((p) => {
      const eng = (p.likes || 0) + (p.replies || 0) + (p.reposts || 0) + (p.quotes || 0);
      const rate = pr.followers ? eng / pr.followers : undefined;
      return h("article", { class: "post" },
        h("div", {}, p.text || "(no text)"),
        h("div", { class: "nums" }, day(p.created_at) + " · " + num(p.likes) + " likes · " + num(p.replies) + " replies · " + num(p.reposts) + " reposts" +
          (p.views > 0 ? " · " + num(p.views) + " views" : "") + " · engagement " + pct(rate, 2) + " of followers",
        p.url ? [" · ", h("a", { href: p.url, rel: "noopener noreferrer", target: "_blank" }, "open ↗")] : null));
    }) : h("p", { class: "muted" }, "No posts stored."));
}

function comments(rec) {
  const pr = rec.profile || {};
  const list = (pr.comments || []).slice(0, 10);
  return h("section", { class: "card", id: "comments" }, h("h2", {}, "Comment samples"),
    list.length ? list.map((c) => h("div", { class: "comment" },
      h("div", {}, "“" + (c.text || "") + "”"),
      h("div", { class: "nums" }, "@" + ((c.author && c.author.handle) || "unknown") + " · " + day(c.created_at) + " · " + num(c.likes) + " likes"))) : h("p", { class: "muted" }, "No comments sampled."));
}

function subscores(s) {
  const ds = s.details || [];
  return h("section", { class: "card", id: "subscores" }, h("h2", {}, "Scores and their evidence"),
    h("p", { class: "asof" }, "Model " + (s.model || "—") + ", computed " + when(s.computed_at) + "."),
    ds.map((d) => {
      const figure = d.name === "price" ? "" : (+d.score).toFixed(d.score <= 1 ? 2 : 0);
      const line = [figure, d.label || ""].filter(Boolean).join(" · ") + " · confidence " + Math.round((d.confidence || 0) * 100) + "%";
      return h("details", { class: "sub", "data-sub": d.name, open: ["overall", "authenticity"].includes(d.name) || undefined },
        h("summary", {}, h("b", {}, label(d.name)), " " + line),
        d.summary ? h("p", {}, d.summary) : null,
        d.evidence && d.evidence.length ? h("ul", {}, d.evidence.slice(0, 14).map((e) => h("li", {}, evText(e)))) : null);
    }));
}

// evText is one piece of evidence: its sentence, or its signal and value
// (with the short note, when there is one).
function evText(e) {
  const head = label(e.signal) + ": " + fmtEv(e.value) + (e.sample_size ? " (n=" + e.sample_size + ")" : "");
  if (!e.text) return head;
  return e.text.length < 48 ? head + " — " + e.text : e.text;
}

function fmtEv(v) {
  if (typeof v !== "number") return String(v);
  return Math.abs(v) < 1 && v !== 0 ? v.toFixed(3) : compact(v);
}

export { creatorURL };
