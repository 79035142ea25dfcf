package api

import (
	"net/http"

	"github.com/creatorscout/scout/compliance"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/watch"
)

// Response headers documented in the OpenAPI document.
var headerDocs = map[string]string{
	"Location":            "the URL of the resource created or of the job to follow",
	"X-Total-Count":       "how many creators matched (an export gives at most MaxExportRows of them)",
	"X-Export-Truncated":  "true when more creators matched than an export gives",
	"RateLimit-Limit":     "requests a minute the key may make",
	"RateLimit-Remaining": "requests left in the current window",
	"RateLimit-Reset":     "seconds until the window has room again",
	"RateLimit-Policy":    "the key's policy: limit;w=window in seconds",
	"Retry-After":         "seconds to wait before retrying",
	"Allow":               "the methods the path takes",
	"X-Request-Id":        "the request's id, also in the server's log lines",
	"Idempotent-Replayed": "true when the answer is that of an earlier request with the same Idempotency-Key",
}

var (
	idParam  = param{name: "id", typ: "string", desc: "the id", required: true}
	keyParam = param{name: "key", typ: "string", desc: "the creator's store key (platform-id, as search hits and lookups give it)", required: true, example: "bluesky-did_3Aplc_3Aabc"}
	fmtParam = param{name: "format", typ: "string", enum: exportFormats, def: "json",
		desc: "json, or an export: csv (spreadsheet-friendly headers with units, text cells defused against formula injection) or jsonl (JSON Lines, one object a line)"}
)

// routeTable declares every operation of the API.
func (s *Server) routeTable() []route {
	platforms := s.cfg.Enums["platform"]
	alertResp := response{code: 200, desc: "the alert event with its deliveries", body: index.AlertEvent{}}
	return []route{
		{method: "GET", path: "/healthz", id: "health", tag: "service", summary: "Liveness: the process answers",
			h: s.health, responses: []response{{code: 200, desc: "alive", body: Health{}}}},
		{method: "GET", path: "/readyz", id: "ready", tag: "service", summary: "Readiness: the store and Redis answer",
			h: s.ready, responses: []response{{code: 200, desc: "ready", body: Health{}}, {code: 503, desc: "a dependency is failing (named in checks)", body: Health{}, headers: []string{"Retry-After"}}}},
		{method: "GET", path: "/metrics", id: "metrics", tag: "service", summary: "Prometheus metrics (text exposition format)",
			h: s.serveMetrics, responses: []response{{code: 200, desc: "the metrics"}}},
		{method: "GET", path: "/v1/openapi.json", id: "openapi", tag: "service", summary: "This OpenAPI 3.1 document",
			h: s.openapi, responses: []response{{code: 200, desc: "the document"}}},
		{method: "GET", path: "/docs", id: "docs", tag: "service", summary: "The API reference, as a web page",
			h: s.docs, responses: []response{{code: 200, desc: "an HTML page"}}},
		{method: "GET", path: "/{$}", id: "page", tag: "service", summary: "The web app: search, creator pages, watchlists, compare, discover",
			h: s.page, responses: []response{{code: 200, desc: "an HTML page"}}},

		{method: "GET", path: "/v1/creators", id: "searchCreators", tag: "creators", scope: ScopeRead,
			summary: "Search creators, with filters, facets and exports",
			doc: "Full-text search over display name, handle, bio and post text, with a filter for every keyword field " +
				"(comma-separated values, any of them; `-` matches a missing value) and a `_min`/`_max` range for every numeric field. " +
				"Unknown parameters and values outside an enumeration are a 400 that lists the valid ones. " +
				"With `format=csv` or `format=jsonl` the answer streams every match, page after page, up to 10000 rows (`X-Total-Count` gives the number of matches, `X-Export-Truncated` says whether there were more).",
			query: s.searchParams(), h: s.searchCreators,
			responses: []response{{code: 200, desc: "a page of hits with the total, facet counts and stats", body: index.Result{}, export: true,
				headers: []string{"X-Total-Count", "X-Export-Truncated"}}, {code: 400}}},
		{method: "GET", path: "/v1/creators/lookup", id: "lookupCreator", tag: "creators", scope: ScopeRead,
			summary: "Find creators by exact profile URL or platform and handle",
			doc:     "An exact lookup on stored fields, never a text search: give `url`, or `platform` and `handle` (case-insensitive, a leading @ ignored).",
			query: []param{
				{name: "url", typ: "string", format: "uri", desc: "a profile URL (http or https, any case of host, trailing slash and query ignored)", example: "https://bsky.app/profile/thestrongtheo.bsky.social"},
				{name: "platform", typ: "string", enum: platforms, desc: "the platform of handle"},
				{name: "handle", typ: "string", desc: "the handle, with or without a leading @", example: "thestrongtheo.bsky.social"},
			},
			h: s.lookup, responses: []response{{code: 200, desc: "the creators found", body: LookupResult{}}, {code: 400}, {code: 404, desc: "no stored creator has it"}}},
		{method: "GET", path: "/v1/creators/{key}", id: "getCreator", tag: "creators", scope: ScopeRead,
			summary: "One creator with its posts, scores and their evidence", pathParams: []param{keyParam},
			h: s.getCreator, responses: []response{{code: 200, desc: "the record", body: creator.Record{}}, {code: 400}, {code: 404}}},
		{method: "GET", path: "/v1/creators/{key}/history", id: "getCreatorHistory", tag: "creators", scope: ScopeRead,
			summary: "A creator's snapshot history, oldest first", pathParams: []param{keyParam},
			query: []param{{name: "limit", typ: "integer", min: fptr(1), max: fptr(index.DefaultHistoryCap * 10), desc: "only the newest N snapshots (default: all kept)"}},
			h:     s.history, responses: []response{{code: 200, desc: "the snapshots", body: HistoryView{}}, {code: 400}, {code: 404}}},

		{method: "POST", path: "/v1/discover", id: "discover", tag: "jobs", scope: ScopeWrite,
			summary: "Discover creators on a source (a job)", body: DiscoverRequest{}, h: s.discover, needs: needSubmitter,
			responses: []response{{code: 202, desc: "the job, queued", body: index.Job{}, headers: []string{"Location"}}, {code: 400}, {code: 503}}},
		{method: "POST", path: "/v1/crawl", id: "crawl", tag: "jobs", scope: ScopeWrite,
			summary: "Crawl one creator (a job)", body: CrawlRequest{}, h: s.crawl, needs: needSubmitter,
			responses: []response{{code: 202, desc: "the job, queued", body: index.Job{}, headers: []string{"Location"}}, {code: 400}, {code: 410, desc: "the creator opted out"}, {code: 503}}},
		{method: "GET", path: "/v1/jobs/{id}", id: "getJob", tag: "jobs", scope: ScopeRead,
			summary: "A job's state, counts and items", pathParams: []param{idParam}, h: s.job,
			responses: []response{{code: 200, desc: "the job", body: JobView{}}, {code: 400}, {code: 404}}},

		{method: "POST", path: "/v1/optout", id: "optOut", tag: "compliance", scope: ScopeAdmin,
			summary: "Record a creator's opt-out and erase what is stored about them",
			doc:     "Found by exact id, handle and profile URL, never by text search. Collection stops at once.",
			body:    compliance.OptOutRequest{}, h: s.optOut, needs: needOptOuts,
			responses: []response{{code: 200, desc: "the opt-out and the erased keys", body: compliance.OptOutResult{}}, {code: 400}, {code: 503}}},
		{method: "GET", path: "/v1/optouts", id: "listOptOuts", tag: "compliance", scope: ScopeAdmin,
			summary: "Export the opt-out list", query: []param{fmtParam}, h: s.listOptOuts, needs: needOptOuts,
			responses: []response{{code: 200, desc: "the list", body: OptOutList{}, export: true}, {code: 400}, {code: 503}}},

		{method: "POST", path: "/v1/watchlists", id: "createWatchlist", tag: "watchlists", scope: ScopeWrite,
			summary: "Create a watchlist",
			doc: "Members are store keys or profile URLs. A profile URL naming a handle the store does not hold is added at once as a pending member " +
				"(pending: true, keyed by the handle) and resolved to the creator by a worker; it then takes the creator's key, or an error. " +
				"Webhook secrets are shown in full in this answer only. With an Idempotency-Key, a retried request returns the watchlist the first one created.",
			body: watch.Spec{}, h: s.createWatchlist, needs: needWatchlists,
			headerParams: []param{{name: "Idempotency-Key", typ: "string", desc: "any string of 1 to 255 visible ASCII characters; requests of one API key with the same value create one watchlist"}},
			responses: []response{{code: 201, desc: "the watchlist, webhook secrets in full", body: index.Watchlist{}, headers: []string{"Location"}},
				{code: 200, desc: "the watchlist an earlier request with this Idempotency-Key created", body: index.Watchlist{}, headers: []string{"Location", "Idempotent-Replayed"}},
				{code: 400}, {code: 404, desc: "a member key is not stored"}, {code: 409, desc: "the Idempotency-Key was used for a different watchlist"}, {code: 410, desc: "a member opted out"}, {code: 503}}},
		{method: "GET", path: "/v1/watchlists", id: "listWatchlists", tag: "watchlists", scope: ScopeRead,
			summary: "List watchlists (webhook secrets masked)", h: s.listWatchlists, needs: needWatchlists,
			responses: []response{{code: 200, desc: "the watchlists", body: WatchlistList{}}, {code: 503}}},
		{method: "GET", path: "/v1/watchlists/{id}", id: "getWatchlist", tag: "watchlists", scope: ScopeRead,
			summary: "One watchlist (webhook secrets masked)", pathParams: []param{idParam}, h: s.getWatchlist, needs: needWatchlists,
			responses: []response{{code: 200, desc: "the watchlist", body: index.Watchlist{}}, {code: 404}, {code: 503}}},
		{method: "PATCH", path: "/v1/watchlists/{id}", id: "updateWatchlist", tag: "watchlists", scope: ScopeWrite,
			summary: "Change a watchlist's name, cadence, rules, saved search or webhooks", pathParams: []param{idParam},
			body: watch.Patch{}, h: s.updateWatchlist, needs: needWatchlists,
			responses: []response{{code: 200, desc: "the watchlist; only new webhook secrets are shown", body: index.Watchlist{}}, {code: 400}, {code: 404}, {code: 503}}},
		{method: "DELETE", path: "/v1/watchlists/{id}", id: "deleteWatchlist", tag: "watchlists", scope: ScopeWrite,
			summary: "Delete a watchlist and its alerts", pathParams: []param{idParam}, h: s.deleteWatchlist, needs: needWatchlists,
			responses: []response{{code: 204, desc: "deleted"}, {code: 404}, {code: 503}}},
		{method: "GET", path: "/v1/watchlists/{id}/members", id: "listMembers", tag: "watchlists", scope: ScopeRead,
			summary: "A watchlist's members, or an export of them", pathParams: []param{idParam}, query: []param{fmtParam},
			h: s.listMembers, needs: needWatchlists,
			responses: []response{{code: 200, desc: "the members", body: MemberList{}, export: true}, {code: 400}, {code: 404}, {code: 503}}},
		{method: "POST", path: "/v1/watchlists/{id}/members", id: "addMembers", tag: "watchlists", scope: ScopeWrite,
			summary: "Add members: store keys or profile URLs", pathParams: []param{idParam}, body: MembersRequest{},
			h: s.addMembers, needs: needWatchlists,
			responses: []response{{code: 200, desc: "the watchlist", body: index.Watchlist{}}, {code: 400}, {code: 404}, {code: 410, desc: "a member opted out"}, {code: 503}}},
		{method: "DELETE", path: "/v1/watchlists/{id}/members/{key}", id: "removeMember", tag: "watchlists", scope: ScopeWrite,
			summary: "Remove a member", pathParams: []param{idParam, keyParam}, h: s.removeMember, needs: needWatchlists,
			responses: []response{{code: 200, desc: "the watchlist", body: index.Watchlist{}}, {code: 404}, {code: 503}}},
		{method: "GET", path: "/v1/watchlists/{id}/alerts", id: "listAlerts", tag: "alerts", scope: ScopeRead,
			summary: "A watchlist's alert events, newest first, or an export of them", pathParams: []param{idParam},
			query: []param{
				{name: "kind", typ: "string", enum: watch.Kinds, desc: "only alerts of this kind"},
				{name: "creator", typ: "string", desc: "only alerts about the creator with this store key"},
				{name: "limit", typ: "integer", min: fptr(1), max: fptr(1000), def: 100, desc: "at most this many"},
				fmtParam,
			},
			h: s.watchlistAlerts, needs: needWatchlists,
			responses: []response{{code: 200, desc: "the alerts", body: AlertList{}, export: true}, {code: 400}, {code: 404}, {code: 503}}},
		{method: "GET", path: "/v1/alerts/{id}", id: "getAlert", tag: "alerts", scope: ScopeRead,
			summary: "One alert event with its deliveries", pathParams: []param{idParam}, h: s.getAlert, needs: needWatchlists,
			responses: []response{alertResp, {code: 404}, {code: 503}}},
		{method: "POST", path: "/v1/alerts/{id}/redeliver", id: "redeliverAlert", tag: "alerts", scope: ScopeWrite,
			summary: "Send a failed alert event to its webhooks again", pathParams: []param{idParam}, h: s.redeliver, needs: needWatchlists,
			responses: []response{{code: 202, desc: "the event, pending delivery", body: index.AlertEvent{}}, {code: 404}, {code: 409, desc: "the event's delivery has not failed"}, {code: 503}}},
	}
}

// searchParams lists the parameters of the creator search, derived from
// index.Fields as ParseSearch reads them.
func (s *Server) searchParams() []param {
	ps := []param{
		{name: "q", typ: "string", desc: "full-text search over display name, handle, bio and post text; every word must match, the last also as a prefix; at most 512 bytes and 10 words"},
		{name: "sort", typ: "string", list: true, enum: sortEnum(), desc: "comma-separated sort fields, a - prefix for descending; default: relevance with q, else key"},
		{name: "page", typ: "integer", min: fptr(1), def: 1, desc: "1-based page; page × per_page may not pass 10000"},
		{name: "per_page", typ: "integer", min: fptr(1), max: fptr(index.MaxPerPage), def: index.DefaultPerPage, desc: "hits per page"},
		{name: "facets", typ: "string", list: true, enum: FacetFields(), desc: "comma-separated fields: keyword fields give counts by value, numeric ones min and max"},
		fmtParam,
	}
	for _, f := range index.Fields {
		if !f.Filterable {
			continue
		}
		if f.Kind == index.Keyword {
			p := param{name: f.Name, typ: "string", list: true, desc: keywordDocs[f.Name] + "; comma-separated values match any of them; - alone matches creators without a value"}
			if e, ok := s.cfg.Enums[f.Name]; ok {
				p.enum = e
			}
			ps = append(ps, p)
			continue
		}
		unit := numericDocs[f.Name]
		if f.Name == "updated_at" {
			ps = append(ps,
				param{name: f.Name + "_min", typ: "string", desc: "updated at or after: an RFC 3339 time (2026-11-15T09:30:00Z), a date (2026-11-15, midnight UTC) or Unix seconds", example: "2026-11-15T00:00:00Z"},
				param{name: f.Name + "_max", typ: "string", desc: "updated at or before: an RFC 3339 time, a date (midnight UTC) or Unix seconds", example: "2026-12-01"})
			continue
		}
		ps = append(ps,
			param{name: f.Name + "_min", typ: "number", desc: "inclusive lower bound of " + unit},
			param{name: f.Name + "_max", typ: "number", desc: "inclusive upper bound of " + unit})
	}
	return ps
}

func sortEnum() []string {
	var out []string
	for _, f := range SortFields() {
		out = append(out, f, "-"+f)
	}
	return out
}

// keywordDocs and numericDocs describe the search fields, with their units.
var keywordDocs = map[string]string{
	"platform":         "the platform",
	"tier":             "follower tier: emerging < 1k, nano < 10k, micro < 100k, mid < 500k, macro < 1M, mega",
	"niche":            "primary niche",
	"country":          "country, an ISO 3166-1 alpha-2 code (US, GB)",
	"language":         "main language of the posts, an ISO 639 code (en, es)",
	"engagement_label": "engagement compared with creators of the same tier",
	"growth_trend":     "follower growth trend",
	"handle":           "exact handle (case-insensitive, a leading @ ignored)",
	"profile_url":      "exact profile URL (normalized: https, host lower-cased, no query or trailing slash)",
}

var numericDocs = map[string]string{
	"followers":            "followers (count)",
	"following":            "accounts followed (count)",
	"posts_count":          "posts (count, as the platform reports it)",
	"engagement_rate":      "median engagement rate per post, a fraction of followers (0.035 = 3.5%)",
	"posts_per_week":       "posts per week",
	"days_since_last_post": "days since the last post",
	"niche_relevance":      "relevance to the primary niche, 0 to 1",
	"niche_focus":          "share of posts on the primary niche, 0 to 1",
	"authenticity":         "authenticity score, 0 to 100 (higher is more genuine)",
	"fake_follower_share":  "estimated share of fake followers, a fraction 0 to 1",
	"growth_30d":           "follower growth over 30 days, a fraction (0.1 = +10%)",
	"growth":               "growth score, 0 to 100",
	"consistency":          "posting consistency score, 0 to 100",
	"brand_safety":         "brand safety score, 0 to 100",
	"sponsored_pct":        "share of sampled posts that are sponsored, in percent (0 to 100)",
	"price_min_usd":        "estimated lowest price of a sponsored post, in US dollars",
	"price_max_usd":        "estimated highest price of a sponsored post, in US dollars",
	"overall":              "overall score, 0 to 100",
	"confidence":           "confidence of the scores, 0 to 1",
	"linked_accounts":      "accounts on other platforms linked by two-way evidence (count)",
	"updated_at":           "time of the last crawl",
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) { servePage(w) }
