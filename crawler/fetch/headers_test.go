package fetch

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseReset(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Time
		ok   bool
	}{
		{"epoch seconds (atproto, Twitch)", "1795435260", time.Unix(1795435260, 0), true},
		{"delta seconds (IETF draft)", "30", now.Add(30 * time.Second), true},
		{"ISO-8601 (Mastodon)", "2026-11-23T12:05:00.000Z", now.Add(5 * time.Minute), true},
		{"ISO-8601 with offset", "2026-11-23T13:05:00+01:00", now.Add(5 * time.Minute), true},
		{"HTTP date", "Mon, 23 Nov 2026 12:01:00 GMT", now.Add(time.Minute), true},
		{"empty", "", time.Time{}, false},
		{"garbage", "soon", time.Time{}, false},
		{"negative", "-5", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseReset(tt.in, now)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("parseReset(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Time
		ok   bool
	}{
		{"seconds", "120", now.Add(2 * time.Minute), true},
		{"HTTP date", "Mon, 23 Nov 2026 12:00:30 GMT", now.Add(30 * time.Second), true},
		{"absent", "", time.Time{}, false},
		{"unreadable", "later", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.in != "" {
				h.Set("Retry-After", tt.in)
			}
			got, ok := parseRetryAfter(h, now)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseAnnounced(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   announced
	}{
		{
			name:   "atproto RateLimit-* with epoch reset",
			header: map[string]string{"RateLimit-Limit": "3000", "RateLimit-Remaining": "2999", "RateLimit-Reset": "1795435500", "RateLimit-Policy": "3000;w=300"},
			want:   announced{Limit: 3000, Remaining: 2999, Reset: time.Unix(1795435500, 0), HasReset: true},
		},
		{
			name:   "Mastodon X-RateLimit-* with ISO-8601 reset",
			header: map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-11-23T12:05:00.000Z"},
			want:   announced{Limit: 300, Remaining: 0, Reset: now.Add(5 * time.Minute), HasReset: true},
		},
		{
			name:   "Twitch Ratelimit-*",
			header: map[string]string{"Ratelimit-Limit": "800", "Ratelimit-Remaining": "799", "Ratelimit-Reset": "1795435261"},
			want:   announced{Limit: 800, Remaining: 799, Reset: time.Unix(1795435261, 0), HasReset: true},
		},
		{
			name:   "IETF combined header",
			header: map[string]string{"RateLimit": "limit=100, remaining=50, reset=30"},
			want:   announced{Limit: 100, Remaining: 50, Reset: now.Add(30 * time.Second), HasReset: true},
		},
		{
			name:   "none",
			header: map[string]string{},
			want:   announced{Limit: -1, Remaining: -1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got := parseAnnounced(h, now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseAnnounced (-want +got):\n%s", diff)
			}
		})
	}
}
