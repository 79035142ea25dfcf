// Shared helpers of the CreatorScout web app: API calls (with the API-key
// prompt), plain-words errors, DOM building (textContent only, never
// innerHTML) and number formatting.

const KEY_STORE = "scout.apiKey";

// ApiError is an error with a message written for the user.
export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status || 0;
    this.code = code || "";
  }
}

// isAbort reports whether err is a request the page cancelled itself.
export function isAbort(err) {
  return err && (err.name === "AbortError" || err.code === "aborted");
}

export function apiKey() {
  try { return sessionStorage.getItem(KEY_STORE) || ""; } catch { return ""; }
}

function setKey(k) {
  try { k ? sessionStorage.setItem(KEY_STORE, k) : sessionStorage.removeItem(KEY_STORE); } catch { /* private mode */ }
}

let keyPrompt = null; // one prompt at a time, shared by every waiting request

// askKey shows the API-key dialog and resolves with the key typed, or null
// when the user cancels. wrong says the last key was refused.
function askKey(wrong, serverMsg) {
  if (keyPrompt) return keyPrompt;
  const dlg = document.getElementById("key-dialog");
  const form = document.getElementById("key-form");
  const input = document.getElementById("key-input");
  const err = document.getElementById("key-error");
  const cancel = document.getElementById("key-cancel");
  if (wrong) {
    err.hidden = false;
    err.textContent = "That key was not accepted" + (serverMsg ? " (the server says: " + serverMsg + ")" : "") + ". Check it and try again.";
  } else {
    err.hidden = true;
    err.textContent = "";
  }
  input.value = "";
  keyPrompt = new Promise((resolve) => {
    const done = (v) => {
      form.removeEventListener("submit", onSubmit);
      cancel.removeEventListener("click", onCancel);
      dlg.removeEventListener("cancel", onCancel);
      if (dlg.open) dlg.close();
      keyPrompt = null;
      resolve(v);
    };
    const onSubmit = (e) => {
      e.preventDefault();
      const v = input.value.trim();
      if (!v) { err.hidden = false; err.textContent = "Type the key, or press Cancel."; return; }
      done(v);
    };
    const onCancel = (e) => { e.preventDefault(); done(null); };
    form.addEventListener("submit", onSubmit);
    cancel.addEventListener("click", onCancel);
    dlg.addEventListener("cancel", onCancel); // Escape
    dlg.showModal();
    input.focus();
  });
  return keyPrompt;
}

// plainStatus says what an HTTP status without a JSON error body means.
function plainStatus(status) {
  if (status === 404) return "not found";
  if (status === 429) return "too many requests; wait a moment and try again";
  if (status >= 500) return "the server had a problem (HTTP " + status + "); try again in a moment";
  return "the server answered HTTP " + status;
}

// request calls the API and returns the Response. On 401 it asks for a
// key and retries with it; a refused key is asked for again, saying so.
// Errors are ApiErrors in plain words.
export async function request(path, opts = {}) {
  let wrong = false, serverMsg = "";
  for (;;) {
    const headers = Object.assign({ "Accept": opts.accept || "application/json" }, opts.headers || {});
    const key = apiKey();
    if (key) headers["Authorization"] = "Bearer " + key;
    let body;
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    let res;
    try {
      res = await fetch(path, { method: opts.method || "GET", headers, body, signal: opts.signal });
    } catch (e) {
      if (isAbort(e)) throw e;
      throw new ApiError("Could not reach the CreatorScout server. Check that it is running and that you are online, then try again.", 0, "network");
    }
    if (res.status === 401) {
      const msg = await errorMessage(res);
      if (key) { wrong = true; serverMsg = msg; setKey(""); }
      const k = await askKey(wrong, serverMsg);
      if (!k) throw new ApiError("An API key is needed to use this server. Reload the page to enter one.", 401, "unauthorized");
      setKey(k);
      wrong = true; // if the new key is refused too, say so
      continue;
    }
    if (!res.ok) {
      throw new ApiError(await errorMessage(res), res.status);
    }
    return res;
  }
}

async function errorMessage(res) {
  let text = "";
  try { text = await res.text(); } catch { /* body lost */ }
  try {
    const j = JSON.parse(text);
    if (j && j.error && j.error.message) return j.error.message;
  } catch { /* not JSON */ }
  return plainStatus(res.status);
}

// api calls the API and returns its JSON answer.
export async function api(path, opts = {}) {
  const res = await request(path, opts);
  if (res.status === 204) return null;
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("The server's answer could not be read (it was not the data expected). Try again; if it keeps happening, the server may be misconfigured.", res.status, "bad_answer");
  }
}

// download fetches an export and saves it as filename.
export async function download(path, filename) {
  const res = await request(path, { accept: "text/csv" });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return { total: res.headers.get("X-Total-Count"), truncated: res.headers.get("X-Export-Truncated") === "true" };
}

// message turns any error into words for the user.
export function message(err) {
  if (err instanceof ApiError) return err.message;
  return "Something went wrong on this page. Reload it and try again.";
}

// h builds an element: h("a", {href: "/", class: "x"}, "text", child...).
// Text is always set as text, never parsed as markup.
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(e.dataset, v);
      else if (v === true) e.setAttribute(k, "");
      else e.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// svg builds an SVG element.
export function svg(tag, attrs, ...children) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function flash(text, kind) {
  const f = document.getElementById("flash");
  f.textContent = text;
  f.className = kind || "";
  clearTimeout(flash.t);
  if (text) flash.t = setTimeout(() => { f.textContent = ""; f.className = ""; }, 8000);
}

const nf = new Intl.NumberFormat("en-US");
export function num(v) { return v === undefined || v === null ? "—" : nf.format(Math.round(v)); }
export function compact(v) {
  if (v === undefined || v === null) return "—";
  return new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(v);
}
export function pct(v, digits = 1) { return v === undefined || v === null ? "—" : (v * 100).toFixed(digits) + "%"; }
export function score(v) { return v === undefined || v === null ? "—" : Math.round(v).toString(); }
export function usd(v) { return v === undefined || v === null ? "—" : "$" + nf.format(Math.round(v)); }
export function priceRange(s) {
  if (!s || (s.price_min_usd === undefined && s.price_max_usd === undefined)) return "—";
  return usd(s.price_min_usd) + "–" + usd(s.price_max_usd);
}
export function when(t) {
  if (!t) return "—";
  const d = new Date(t);
  if (isNaN(d)) return t;
  return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}
export function day(t) {
  const d = new Date(t);
  return isNaN(d) ? String(t || "") : d.toISOString().slice(0, 10);
}
export function label(s) { return String(s || "").replace(/_/g, " "); }

// creatorURL is the creator page of a store key.
export function creatorURL(key) { return "/creator/" + encodeURIComponent(key); }

// avatar is an <img> that falls back to initials when the picture cannot
// load (the platforms' CDNs are often out of reach).
export function avatar(profile, size) {
  const name = (profile && (profile.display_name || (profile.ref && profile.ref.handle))) || "?";
  const initials = name.split(/[^\p{L}\p{N}]+/u).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join("") || "?";
  const box = h("span", { class: "avatar", style: undefined, "aria-hidden": "true" }, initials);
  box.classList.add(size === "big" ? "big" : "small");
  if (profile && profile.avatar_url) {
    const img = h("img", { src: profile.avatar_url, alt: "", loading: "lazy", referrerpolicy: "no-referrer" });
    img.addEventListener("error", () => img.remove());
    img.addEventListener("load", () => box.classList.add("loaded"));
    box.append(img);
  }
  return box;
}

// Selection is the set of creators the user picked (for a watchlist or a
// comparison), kept while the tab is open.
const SEL_STORE = "scout.selection";
export const selection = {
  all() {
    try { return JSON.parse(sessionStorage.getItem(SEL_STORE) || "[]"); } catch { return []; }
  },
  has(key) { return this.all().some((x) => x.key === key); },
  set(list) {
    try { sessionStorage.setItem(SEL_STORE, JSON.stringify(list)); } catch { /* ignore */ }
    updateCompareCount();
  },
  add(item) { const l = this.all().filter((x) => x.key !== item.key); l.push(item); this.set(l); },
  remove(key) { this.set(this.all().filter((x) => x.key !== key)); },
  clear() { this.set([]); },
};

export function updateCompareCount() {
  const n = selection.all().length;
  const c = document.getElementById("compare-count");
  if (c) c.textContent = n ? "(" + n + ")" : "";
}

// state renders a loading, empty or error line.
export function stateLine(text, kind) {
  return h("p", { class: "state " + (kind || ""), role: kind === "error" ? "alert" : "status" }, text);
}

// watchlistsOrNull lists the watchlists, or null when the server keeps none.
export async function watchlistsOrNull() {
  try {
    const r = await api("/v1/watchlists");
    return r.watchlists || [];
  } catch (e) {
    if (e.status === 503) return null;
    throw e;
  }
}

// openAPI fetches the API's description once.
let specPromise = null;
export function openAPI() {
  if (!specPromise) specPromise = api("/v1/openapi.json").catch((e) => { specPromise = null; throw e; });
  return specPromise;
}

// addToWatchlistDialog asks which watchlist (or a new one) the creators
// go to, then adds them. It resolves with the watchlist, or null.
export function addToWatchlistDialog(keys, savedSearch) {
  return new Promise(async (resolve) => {
    let lists;
    try {
      lists = await watchlistsOrNull();
    } catch (e) {
      flash(message(e), "error");
      resolve(null);
      return;
    }
    if (lists === null) {
      flash("This server does not keep watchlists.", "error");
      resolve(null);
      return;
    }
    const sel = h("select", { id: "wl-choice", name: "watchlist" },
      h("option", { value: "" }, "A new watchlist…"),
      lists.map((w) => h("option", { value: w.id }, w.name + " (" + (w.members || []).length + " members)")));
    const name = h("input", { id: "wl-name", name: "name", placeholder: "e.g. Spring campaign", autocomplete: "off" });
    const nameRow = h("div", { class: "field" }, h("label", { for: "wl-name" }, "Name of the new watchlist"), name);
    const cadence = h("select", { id: "wl-cadence" }, ["daily", "weekly", "hourly"].map((c) => h("option", { value: c }, c)));
    const cadRow = h("div", { class: "field" }, h("label", { for: "wl-cadence" }, "Rescan"), cadence);
    const err = h("p", { class: "error", hidden: true, role: "alert" });
    const what = savedSearch
      ? "Save this search as a watchlist: its " + keys.length + " current result(s) become members, and new matches are added on every rescan."
      : "Add " + keys.length + " creator(s) to a watchlist.";
    const ok = h("button", { type: "submit", id: "wl-submit" }, savedSearch ? "Save search" : "Add");
    const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
    const form = h("form", { method: "dialog" }, h("h2", {}, savedSearch ? "Save search as watchlist" : "Add to watchlist"), h("p", {}, what),
      savedSearch ? null : h("div", { class: "field" }, h("label", { for: "wl-choice" }, "Watchlist"), sel),
      nameRow, cadRow, err, h("div", { class: "row" }, ok, cancel));
    const dlg = h("dialog", { id: "wl-dialog", "aria-label": "Add to watchlist" }, form);
    document.body.append(dlg);
    const sync = () => { const isNew = savedSearch || !sel.value; nameRow.hidden = !isNew; cadRow.hidden = !isNew; };
    sel.addEventListener("change", sync);
    sync();
    const close = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    cancel.addEventListener("click", () => close(null));
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); close(null); });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      err.hidden = true;
      ok.disabled = true;
      try {
        let w;
        if (!savedSearch && sel.value) {
          w = await api("/v1/watchlists/" + encodeURIComponent(sel.value) + "/members", { method: "POST", body: { members: keys } });
        } else {
          if (!name.value.trim()) throw new ApiError("Give the new watchlist a name.");
          const spec = { name: name.value.trim(), cadence: cadence.value, members: keys };
          if (savedSearch) spec.saved_search = savedSearch;
          w = await api("/v1/watchlists", { method: "POST", body: spec });
        }
        close(w);
      } catch (ex) {
        err.hidden = false;
        err.textContent = message(ex);
        ok.disabled = false;
      }
    });
    dlg.showModal();
    (savedSearch || !lists.length ? name : sel).focus();
  });
}

// show replaces el's children with kids, leaving out the empty ones.
export function show(el, ...kids) {
  el.replaceChildren(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
}

// at writes a handle as people read it: @name, or a site's address as is.
export function at(handle) {
  if (!handle) return "";
  return /^[a-z]+:\/\//i.test(handle) || handle.includes("/") ? handle : "@" + handle;
}
