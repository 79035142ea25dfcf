// A small hand-drawn SVG line chart over time, with markers (spikes and
// alerts) as dashed vertical lines. No library: the charts are simple.

import { h, svg, day } from "./lib.js";

const W = 420, H = 190, L = 56, R = 12, T = 12, B = 28;

const MARK = {
  suspicious: { color: "#b42318", name: "suspicious spike" },
  viral: { color: "#1d8a4a", name: "viral spike" },
  alert: { color: "#c27803", name: "alert" },
};

// lineChart draws points [{t, v}] (t a Date) with fmt for values. markers
// are [{t, kind, text}] with kind one of suspicious, viral, alert; domain,
// when given, is the least range of the y axis (scores: [0, 100]).
export function lineChart({ id, title, points, fmt, markers = [], color = "#1d4ed8", domain }) {
  const pts = points.filter((p) => p.v !== undefined && p.v !== null && !isNaN(p.v) && !isNaN(p.t));
  const box = h("figure", { class: "card chart", id });
  box.append(h("figcaption", {}, h("h3", {}, title)));
  if (!pts.length) {
    box.append(h("p", { class: "muted" }, "No snapshots hold this figure yet."));
    return box;
  }
  let t0 = Math.min(...pts.map((p) => +p.t), ...markers.map((m) => +m.t));
  let t1 = Math.max(...pts.map((p) => +p.t), ...markers.map((m) => +m.t));
  if (t1 === t0) { t0 -= 86400000; t1 += 86400000; }
  let v0 = Math.min(...pts.map((p) => p.v)), v1 = Math.max(...pts.map((p) => p.v));
  if (domain) { v0 = Math.min(v0, domain[0]); v1 = Math.max(v1, domain[1]); }
  const nonNeg = v0 >= 0;
  if (v1 === v0) {
    if (v0 === 0) v1 = 1;
    else { const d = Math.abs(v0) * 0.1; v0 -= d; v1 += d; }
  }
  const pad = (v1 - v0) * 0.08;
  v0 -= pad; v1 += pad;
  if (nonNeg && v0 < 0) v0 = 0; // counts, rates and scores are never negative
  const x = (t) => L + ((+t - t0) / (t1 - t0)) * (W - L - R);
  const y = (v) => T + (1 - (v - v0) / (v1 - v0)) * (H - T - B);
  const first = pts[0], last = pts[pts.length - 1];
  const desc = title + ": " + pts.length + " snapshot(s) from " + day(first.t) + " (" + fmt(first.v) + ") to " + day(last.t) + " (" + fmt(last.v) + ")" +
    (markers.length ? "; " + markers.length + " marked event(s)" : "") + ".";
  const g = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": desc, class: "plot" });
  // grid and y labels
  for (let i = 0; i <= 3; i++) {
    const v = v0 + ((v1 - v0) * i) / 3;
    const yy = y(v);
    g.append(svg("line", { x1: L, x2: W - R, y1: yy, y2: yy, stroke: "#e6eaf0" }),
      svg("text", { x: L - 6, y: yy + 4, "text-anchor": "end", "font-size": 11, fill: "#5d6673" }, fmt(v)));
  }
  g.append(svg("text", { x: L, y: H - 8, "font-size": 11, fill: "#5d6673" }, day(t0)),
    svg("text", { x: W - R, y: H - 8, "font-size": 11, fill: "#5d6673", "text-anchor": "end" }, day(t1)));
  // markers
  for (const m of markers) {
    const k = MARK[m.kind] || MARK.alert;
    const xx = x(m.t);
    g.append(svg("g", { class: "marker marker-" + m.kind },
      svg("title", {}, k.name + " " + day(m.t) + ": " + m.text),
      svg("line", { x1: xx, x2: xx, y1: T, y2: H - B, stroke: k.color, "stroke-dasharray": "4 3", "stroke-width": 1.5 }),
      svg("path", { d: `M${xx - 5},${T} L${xx + 5},${T} L${xx},${T + 8} Z`, fill: k.color })));
  }
  // the line and its points
  if (pts.length > 1) {
    g.append(svg("path", { class: "line", d: pts.map((p, i) => (i ? "L" : "M") + x(p.t).toFixed(1) + "," + y(p.v).toFixed(1)).join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
  }
  for (const p of pts) {
    g.append(svg("circle", { class: "pt", cx: x(p.t), cy: y(p.v), r: pts.length > 40 ? 1.5 : 3, fill: color },
      svg("title", {}, day(p.t) + ": " + fmt(p.v))));
  }
  box.append(g);
  const legend = h("div", { class: "legend" }, h("span", {}, pts.length + " snapshot" + (pts.length === 1 ? "" : "s") + ", latest " + fmt(last.v) + " on " + day(last.t)));
  const kinds = [...new Set(markers.map((m) => m.kind))];
  for (const kd of kinds) legend.append(h("span", { class: "dot-" + (kd === "suspicious" ? "sus" : kd) }, "┆ " + (MARK[kd] || MARK.alert).name));
  box.append(legend);
  if (pts.length === 1) box.append(h("p", { class: "muted" }, "One snapshot so far: the line grows as the creator is rescanned (add it to a watchlist to rescan it on a schedule)."));
  return box;
}
