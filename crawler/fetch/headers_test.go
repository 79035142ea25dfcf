package fetch

import (
	"fmt"
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

// TestRetryTimeClamped feeds RetryTime the headers a broken or hostile
// server may send: every wait is at most MaxRetryWait from now, and none
// lands in the past by overflowing; NaN and negative values are unreadable.
func TestRetryTimeClamped(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	capped := now.Add(MaxRetryWait)
	tests := []struct {
		name   string
		header string
		value  string
		want   time.Time
		ok     bool
	}{
		{"retry-after huge", "Retry-After", "1e10", capped, true},
		{"retry-after past int64 nanoseconds", "Retry-After", "9300000000", capped, true},
		{"retry-after beyond float64", "Retry-After", "1e400", capped, true},
		{"retry-after Inf", "Retry-After", "Inf", capped, true},
		{"retry-after +Infinity", "Retry-After", "+Infinity", capped, true},
		{"retry-after -Inf", "Retry-After", "-Inf", time.Time{}, false},
		{"retry-after NaN", "Retry-After", "NaN", time.Time{}, false},
		{"retry-after negative", "Retry-After", "-30", time.Time{}, false},
		{"retry-after an hour exactly", "Retry-After", "3600", capped, true},
		{"retry-after fractional", "Retry-After", "1.5", now.Add(1500 * time.Millisecond), true},
		{"retry-after date years ahead", "Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT", capped, true},
		{"retry-after date in the past", "Retry-After", "Mon, 23 Nov 2026 11:00:00 GMT", now.Add(-time.Hour), true},
		{"retry-after date ten minutes ahead", "Retry-After", "Mon, 23 Nov 2026 12:10:00 GMT", now.Add(10 * time.Minute), true},
		{"reset huge delta", "RateLimit-Reset", "999999999", capped, true},
		{"reset epoch far ahead", "X-RateLimit-Reset", "99999999999", capped, true},
		{"reset epoch Inf", "RateLimit-Reset", "Inf", capped, true},
		{"reset epoch beyond float64", "RateLimit-Reset", "1e400", capped, true},
		{"reset epoch in ten minutes", "RateLimit-Reset", fmt.Sprint(now.Add(10 * time.Minute).Unix()), now.Add(10 * time.Minute), true},
		{"reset NaN", "RateLimit-Reset", "NaN", time.Time{}, false},
		{"reset negative", "RateLimit-Reset", "-1", time.Time{}, false},
		{"reset ISO years ahead", "X-RateLimit-Reset", "9999-01-01T00:00:00Z", capped, true},
		{"reset HTTP date years ahead", "RateLimit-Reset", "Fri, 31 Dec 9999 23:59:59 GMT", capped, true},
		{"combined reset huge", "RateLimit", "limit=10, remaining=0, reset=1e18", capped, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			h.Set(tt.header, tt.value)
			got, ok := RetryTime(h, now)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("RetryTime(%s: %s) = %v, %v; want %v, %v", tt.header, tt.value, got, ok, tt.want, tt.ok)
			}
			if ok && got.After(capped) {
				t.Errorf("RetryTime(%s: %s) = %v, beyond MaxRetryWait", tt.header, tt.value, got)
			}
		})
	}
}
