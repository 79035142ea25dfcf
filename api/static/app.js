// The CreatorScout web app's entry: picks the page from the URL's path.
// Every page is plain ES modules served by the API (no build step).

import { h, message, stateLine, updateCompareCount, show } from "./lib.js";
import { searchPage } from "./search.js";
import { creatorPage } from "./creator.js";
import { watchlistsPage, watchlistPage } from "./watchlists.js";
import { comparePage } from "./compare.js";
import { discoverPage } from "./discover.js";
import { jetstreamPage } from "./jetstream.js";

const routes = [
  [/^\/$/, (root) => searchPage(root), "search"],
  [/^\/creator\/([^/]+)$/, (root, m) => creatorPage(root, decodeURIComponent(m[1])), "search"],
  [/^\/watchlists$/, (root) => watchlistsPage(root), "watchlists"],
  [/^\/watchlists\/([^/]+)$/, (root, m) => watchlistPage(root, decodeURIComponent(m[1])), "watchlists"],
  [/^\/compare$/, (root) => comparePage(root), "compare"],
  [/^\/discover$/, (root) => discoverPage(root), "discover"],
  [/^\/jetstream$/, (root) => jetstreamPage(root), "jetstream"],
];

async function start() {
  const root = document.getElementById("app");
  // The old single page linked creators as /#creator=KEY.
  const old = location.hash.match(/^#creator=(.+)$/);
  if (old) {
    location.replace("/creator/" + encodeURIComponent(decodeURIComponent(old[1])));
    return;
  }
  updateCompareCount();
  for (const [re, page, nav] of routes) {
    const m = location.pathname.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll("[data-nav]")) {
      if (a.dataset.nav === nav) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    }
    try {
      await page(root, m);
    } catch (e) {
      show(root, stateLine(message(e), "error"));
    }
    return;
  }
  show(root, stateLine("There is no page at this address.", "error"), h("p", {}, h("a", { href: "/" }, "Go to the search")));
}

window.addEventListener("unhandledrejection", (e) => {
  e.preventDefault();
  const root = document.getElementById("app");
  root.prepend(stateLine(message(e.reason), "error"));
});

start();
