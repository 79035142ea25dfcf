// The compare page: 2 to 4 creators side by side, the best of each row
// marked.

import { at, show, api, h, message, stateLine, num, pct, score, priceRange, label, creatorURL, avatar, selection, when, usd } from "./lib.js";

// ROWS: label, value, sort key for "best" (higher is better unless low).
const ROWS = [
  ["Platform", (r) => label(r.profile.ref && r.profile.ref.platform)],
  ["Tier", (r) => r.scores.tier || "—"],
  ["Primary niche", (r) => label(r.scores.primary_niche || "—")],
  ["Followers", (r) => num(r.profile.followers), (r) => r.profile.followers],
  ["Engagement rate", (r) => pct(r.scores.engagement_rate, 2) + (r.scores.engagement_label ? " (" + r.scores.engagement_label + ")" : ""), (r) => r.scores.engagement_rate],
  ["Authenticity", (r) => score(r.scores.authenticity), (r) => r.scores.authenticity],
  ["Fake followers (est.)", (r) => pct(r.scores.fake_follower_share), (r) => r.scores.fake_follower_share, true],
  ["Growth score", (r) => score(r.scores.growth), (r) => r.scores.growth],
  ["Followers, 30 days", (r) => (r.scores.growth_30d >= 0 ? "+" : "") + pct(r.scores.growth_30d) + (r.scores.growth_trend ? " (" + r.scores.growth_trend + ")" : ""), (r) => r.scores.growth_30d],
  ["Consistency", (r) => score(r.scores.consistency), (r) => r.scores.consistency],
  ["Brand safety", (r) => score(r.scores.brand_safety), (r) => r.scores.brand_safety],
  ["Niche relevance", (r) => r.scores.niche_relevance === undefined ? "—" : (+r.scores.niche_relevance).toFixed(2), (r) => r.scores.niche_relevance],
  ["Posts per week", (r) => r.scores.posts_per_week === undefined ? "—" : (+r.scores.posts_per_week).toFixed(1), (r) => r.scores.posts_per_week],
  ["Price a post", (r) => priceRange(r.scores), (r) => r.scores.price_min_usd, true],
  ["Price per 1k followers", (r) => r.scores.price_min_usd === undefined || !r.profile.followers ? "—" : usd((r.scores.price_min_usd / r.profile.followers) * 1000), (r) => r.profile.followers ? r.scores.price_min_usd / r.profile.followers : undefined, true],
  ["Overall", (r) => score(r.scores.overall), (r) => r.scores.overall],
  ["Confidence", (r) => r.scores.confidence === undefined ? "—" : Math.round(r.scores.confidence * 100) + "%", (r) => r.scores.confidence],
  ["Scores as of", (r) => when(r.scores.computed_at)],
];

export async function comparePage(root) {
  const p = new URLSearchParams(location.search);
  let keys = (p.get("keys") || "").split(",").map((s) => s.trim()).filter(Boolean);
  if (!keys.length) keys = selection.all().map((x) => x.key);
  keys = [...new Set(keys)];
  if (keys.length < 2) {
    show(root, h("h1", {}, "Compare"),
      stateLine("Pick 2 to 4 creators to compare: tick them on the search page, or press “Add to compare” on a creator's page.", "empty"),
      h("p", {}, h("a", { href: "/" }, "Go to the search")));
    return;
  }
  const extra = keys.length > 4 ? keys.length - 4 : 0;
  keys = keys.slice(0, 4);
  if (!p.get("keys")) history.replaceState(null, "", "/compare?keys=" + encodeURIComponent(keys.join(",")));
  show(root, stateLine("Loading " + keys.length + " creators…"));
  const recs = await Promise.all(keys.map((k) => api("/v1/creators/" + encodeURIComponent(k)).catch((e) => ({ key: k, error: e }))));
  const bad = recs.filter((r) => r.error);
  const ok = recs.filter((r) => !r.error).map((r) => Object.assign({ profile: {}, scores: {} }, r));
  if (ok.length < 2) {
    show(root, h("h1", {}, "Compare"), stateLine("Too few of these creators could be loaded: " + bad.map((b) => message(b.error)).join("; "), "error"));
    return;
  }
  const head = h("tr", {}, h("th", { scope: "col" }, "Creator"), ok.map((r) => {
    const ref = r.profile.ref || {};
    const rm = h("button", { type: "button", class: "secondary", "aria-label": "Remove " + (r.profile.display_name || ref.handle) + " from the comparison" }, "Remove");
    rm.addEventListener("click", () => {
      selection.remove(r.key);
      const rest = ok.map((x) => x.key).filter((k) => k !== r.key);
      location.href = "/compare?keys=" + encodeURIComponent(rest.join(","));
    });
    return h("th", { scope: "col", "data-key": r.key }, h("div", { class: "who" }, avatar(r.profile),
      h("div", {}, h("a", { href: creatorURL(r.key), class: "name" }, r.profile.display_name || ref.handle || r.key), h("div", { class: "handle" }, at(ref.handle)))), rm);
  }));
  const body = ROWS.map(([name, show, val, lowBest]) => {
    let best = null;
    if (val) {
      const vs = ok.map((r) => val(r)).filter((v) => v !== undefined && v !== null && !isNaN(v));
      if (vs.length > 1) best = lowBest ? Math.min(...vs) : Math.max(...vs);
    }
    return h("tr", {}, h("th", { scope: "row" }, name), ok.map((r) => {
      const v = val ? val(r) : undefined;
      return h("td", { class: best !== null && v === best ? "best" : "" }, show(r));
    }));
  });
  show(root, h("h1", {}, "Compare " + ok.length + " creators"),
    bad.length ? stateLine("Not shown: " + bad.map((b) => b.key + " (" + message(b.error) + ")").join("; "), "error") : null,
    extra ? stateLine("Only the first 4 are compared; " + extra + " more were picked.", "") : null,
    h("p", { class: "muted" }, "The best value of each row is highlighted (for prices and fake followers, the lowest)."),
    h("div", { class: "compare-wrap card" }, h("table", { class: "compare", id: "compare" }, h("thead", {}, head), h("tbody", {}, body))));
}
