package main

import (
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/crawler/fetch"
)

// config is everything cmd/scout reads from the environment. Library
// packages never read the environment; they get these values passed down.
type config struct {
	DataDir  string // SCOUT_DATA_DIR, default ./data
	RedisURL string // SCOUT_REDIS_URL; empty = embedded miniredis
	MeiliURL string // SCOUT_MEILI_URL; empty = embedded SQLite
	MeiliKey string // SCOUT_MEILI_KEY
	// MeiliTimeout bounds each request to Meilisearch (SCOUT_MEILI_TIMEOUT;
	// zero: the store's default, 30s).
	MeiliTimeout time.Duration
	// MeiliCAFile is a PEM file of the certificate authorities trusted for
	// an https Meilisearch URL (SCOUT_MEILI_CA_FILE; empty: the system's).
	MeiliCAFile string
	Addr        string         // SCOUT_ADDR, default 127.0.0.1:8080
	APIKey      string         // SCOUT_API_KEY; empty = no auth
	AllowNets   []netip.Prefix // SCOUT_ALLOW_PRIVATE_NETS, comma-separated CIDRs; default none
	BlueskyURL  string         // SCOUT_BLUESKY_URL, default the public AppView
	Concurrency int            // SCOUT_CONCURRENCY, default 10
	UserAgent   string         // SCOUT_USER_AGENT, default the project's
	UniqueFor   time.Duration  // SCOUT_CRAWL_UNIQUE_FOR, default 1h
	MaxRetry    int            // SCOUT_MAX_RETRY, default 5
	RetryBase   time.Duration  // SCOUT_RETRY_BASE, default 2s
	NichesFile  string         // SCOUT_NICHES_FILE: custom niches (name + terms)
	// SQLiteSync is SQLite's synchronous mode (SCOUT_SQLITE_SYNC): "FULL"
	// (default) or "NORMAL".
	SQLiteSync string
	// ReconcileInterval is how often the scheduler enqueues again the
	// crawls of unfinished jobs that the queue lost (SCOUT_RECONCILE_INTERVAL,
	// default 1m; at least 1s). Loss of all of Redis is noticed sooner, at
	// the scheduler's next tick.
	ReconcileInterval time.Duration
	// SourceOptions are per-source settings, from:
	//   SCOUT_MASTODON_INSTANCES_ALLOW, SCOUT_MASTODON_INSTANCES_DENY,
	//   SCOUT_MASTODON_DISCOVER_INSTANCES (comma-separated domains;
	//   mastodon.social is denied unless allowed explicitly),
	//   SCOUT_YOUTUBE_API_KEY, SCOUT_YOUTUBE_DERIVED_METRICS_APPROVED (true
	//   only for an audited API project that accepted the derived-metrics
	//   amendment; otherwise YouTube data is stored but not scored),
	//   SCOUT_INSTAGRAM_TOKEN, SCOUT_INSTAGRAM_USER_ID (the operator's own
	//   Business or Creator account, for business_discovery),
	//   SCOUT_BLUESKY_POSTS, _REPLY_POSTS, _MIN_THREADS, _COMMENTS,
	//   _MIN_REPLIES, _FOLLOWERS, _FOLLOWER_COUNTS (Bluesky's sample sizes),
	//   SCOUT_TWITCH_CLIENT_ID, SCOUT_TWITCH_CLIENT_SECRET (an app's client
	//   credentials), SCOUT_TWITCH_DATA_AUTHORISED (true only when Twitch
	//   authorised keeping its data past 24 hours).
	SourceOptions map[string]map[string]string
	// Rates override sources' declared rate limits, by source name, from
	// SCOUT_RATE_<SOURCE>=<requests per second>[:<burst>] (a self-hosted
	// AppView, a granted quota). All workers must be given the same.
	Rates map[string]rateOverride
	// Jetstream configures the Bluesky stream consumer (SCOUT_JETSTREAM_*,
	// see track.go).
	Jetstream jetstreamConfig
}

// rateOverride is an operator's rate limit for a source's hosts.
type rateOverride struct {
	Rate  float64 // requests per second, all workers together
	Burst int     // 0: the source's declared burst
}

// parseRate reads "<requests per second>[:<burst>]".
func parseRate(v string) (rateOverride, error) {
	rs, bs, hasBurst := strings.Cut(strings.TrimSpace(v), ":")
	var r rateOverride
	var err error
	if r.Rate, err = strconv.ParseFloat(strings.TrimSpace(rs), 64); err != nil || !(r.Rate > 0) || r.Rate > 1e6 {
		return r, fmt.Errorf("want requests per second (above 0, at most 1000000), optionally :burst, like 50 or 50:100, got %q", v)
	}
	if hasBurst {
		if r.Burst, err = strconv.Atoi(strings.TrimSpace(bs)); err != nil || r.Burst < 1 || r.Burst > 1e6 {
			return r, fmt.Errorf("want a burst of 1 to 1000000 after the colon, like 50:100, got %q", v)
		}
	}
	return r, nil
}

// parseRates reads every SCOUT_RATE_<SOURCE> variable of env; sources are
// the valid source names.
func parseRates(env []string, sources []string) (map[string]rateOverride, error) {
	out := map[string]rateOverride{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		name, ok := strings.CutPrefix(k, "SCOUT_RATE_")
		if !ok {
			continue
		}
		name = strings.ToLower(name)
		if !slices.Contains(sources, name) {
			return nil, fmt.Errorf("%s: no source is called %q; valid sources: %s", k, name, strings.Join(sources, ", "))
		}
		r, err := parseRate(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[name] = r
	}
	return out, nil
}

// sourceEnv maps environment variables to source options.
var sourceEnv = []struct{ env, source, option string }{
	{"SCOUT_MASTODON_INSTANCES_ALLOW", "mastodon", "instances_allow"},
	{"SCOUT_MASTODON_INSTANCES_DENY", "mastodon", "instances_deny"},
	{"SCOUT_MASTODON_DISCOVER_INSTANCES", "mastodon", "discover_instances"},
	{"SCOUT_YOUTUBE_API_KEY", "youtube", "api_key"},
	{"SCOUT_YOUTUBE_DERIVED_METRICS_APPROVED", "youtube", "derived_metrics_approved"},
	{"SCOUT_INSTAGRAM_TOKEN", "instagram", "token"},
	{"SCOUT_INSTAGRAM_USER_ID", "instagram", "user_id"},
	{"SCOUT_TWITCH_CLIENT_ID", "twitch", "client_id"},
	{"SCOUT_TWITCH_CLIENT_SECRET", "twitch", "client_secret"},
	{"SCOUT_TWITCH_DATA_AUTHORISED", "twitch", "data_authorised"},
	{"SCOUT_BLUESKY_POSTS", "bluesky", "posts"},
	{"SCOUT_BLUESKY_REPLY_POSTS", "bluesky", "reply_posts"},
	{"SCOUT_BLUESKY_MIN_THREADS", "bluesky", "min_threads"},
	{"SCOUT_BLUESKY_COMMENTS", "bluesky", "comments"},
	{"SCOUT_BLUESKY_MIN_REPLIES", "bluesky", "min_replies"},
	{"SCOUT_BLUESKY_FOLLOWERS", "bluesky", "followers"},
	{"SCOUT_BLUESKY_FOLLOWER_COUNTS", "bluesky", "follower_counts"},
}

func configFromEnv() (config, error) {
	c := config{
		DataDir:     envOr("SCOUT_DATA_DIR", "./data"),
		RedisURL:    os.Getenv("SCOUT_REDIS_URL"),
		MeiliURL:    os.Getenv("SCOUT_MEILI_URL"),
		MeiliKey:    os.Getenv("SCOUT_MEILI_KEY"),
		MeiliCAFile: os.Getenv("SCOUT_MEILI_CA_FILE"),
		Addr:        envOr("SCOUT_ADDR", "127.0.0.1:8080"),
		APIKey:      os.Getenv("SCOUT_API_KEY"),
		BlueskyURL:  os.Getenv("SCOUT_BLUESKY_URL"),
		UserAgent:   os.Getenv("SCOUT_USER_AGENT"),
		NichesFile:  os.Getenv("SCOUT_NICHES_FILE"),
		Concurrency: 10,
		UniqueFor:   time.Hour,
		MaxRetry:    5,
		RetryBase:   2 * time.Second,

		ReconcileInterval: time.Minute,
	}
	c.SourceOptions = map[string]map[string]string{}
	for _, e := range sourceEnv {
		if v := os.Getenv(e.env); v != "" {
			if c.SourceOptions[e.source] == nil {
				c.SourceOptions[e.source] = map[string]string{}
			}
			c.SourceOptions[e.source][e.option] = v
		}
	}
	var err error
	if c.Rates, err = parseRates(os.Environ(), crawler.Names()); err != nil {
		return c, err
	}
	if c.AllowNets, err = fetch.ParseNets(os.Getenv("SCOUT_ALLOW_PRIVATE_NETS")); err != nil {
		return c, fmt.Errorf("SCOUT_ALLOW_PRIVATE_NETS: %w", err)
	}
	if v := os.Getenv("SCOUT_CONCURRENCY"); v != "" {
		if c.Concurrency, err = strconv.Atoi(v); err != nil || c.Concurrency < 1 || c.Concurrency > 1000 {
			return c, fmt.Errorf("SCOUT_CONCURRENCY: want 1 to 1000, got %q", v)
		}
	}
	if v := os.Getenv("SCOUT_MAX_RETRY"); v != "" {
		if c.MaxRetry, err = strconv.Atoi(v); err != nil || c.MaxRetry < 0 {
			return c, fmt.Errorf("SCOUT_MAX_RETRY: want a whole number, got %q", v)
		}
	}
	for name, dst := range map[string]*time.Duration{"SCOUT_CRAWL_UNIQUE_FOR": &c.UniqueFor, "SCOUT_RETRY_BASE": &c.RetryBase, "SCOUT_MEILI_TIMEOUT": &c.MeiliTimeout, "SCOUT_RECONCILE_INTERVAL": &c.ReconcileInterval} {
		if v := os.Getenv(name); v != "" {
			if *dst, err = time.ParseDuration(v); err != nil || *dst <= 0 {
				return c, fmt.Errorf("%s: want a positive duration like 1h, got %q", name, v)
			}
		}
	}
	if c.ReconcileInterval != 0 && c.ReconcileInterval < time.Second {
		return c, fmt.Errorf("SCOUT_RECONCILE_INTERVAL: want at least 1s, got %q", os.Getenv("SCOUT_RECONCILE_INTERVAL"))
	}
	switch v := strings.ToUpper(os.Getenv("SCOUT_SQLITE_SYNC")); v {
	case "", "FULL", "NORMAL":
		c.SQLiteSync = v
	default:
		return c, fmt.Errorf("SCOUT_SQLITE_SYNC: want full (a committed write survives a power cut) or normal (it survives a crash of the process; faster), got %q", os.Getenv("SCOUT_SQLITE_SYNC"))
	}
	if c.Jetstream, err = jetstreamFromEnv(); err != nil {
		return c, err
	}
	return c, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// apply returns p with the operator's rate (and burst) in place of the
// declared ones.
func (r rateOverride) apply(p fetch.HostPolicy) fetch.HostPolicy {
	p.Rate = r.Rate
	if r.Burst > 0 {
		p.Burst = r.Burst
	}
	return p
}

// rateLimited is the outbound client as one source sees it: the host
// policies the source sets get the operator's rate.
type rateLimited struct {
	*fetch.Client
	rate rateOverride
}

// SetHost sets host's policy with the operator's rate.
func (r rateLimited) SetHost(host string, p fetch.HostPolicy) {
	r.Client.SetHost(host, r.rate.apply(p))
}
