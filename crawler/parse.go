package crawler

import (
	"sort"
	"strings"
	"time"

	"github.com/creatorscout/scout/creator"
)

// MainLanguage returns the most common primary language subtag declared on
// posts (ties broken alphabetically), or "" when none declares one. "zxx"
// (no linguistic content) does not count. Sources use it for
// creator.Profile.Language.
func MainLanguage(posts []creator.Post) string {
	counts := map[string]int{}
	for _, p := range posts {
		for _, l := range p.Langs {
			primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(l)), "-")
			if primary != "" && primary != "zxx" {
				counts[primary]++
			}
		}
	}
	langs := make([]string, 0, len(counts))
	for l := range counts {
		langs = append(langs, l)
	}
	sort.Slice(langs, func(i, j int) bool {
		if counts[langs[i]] != counts[langs[j]] {
			return counts[langs[i]] > counts[langs[j]]
		}
		return langs[i] < langs[j]
	})
	if len(langs) == 0 {
		return ""
	}
	return langs[0]
}

// ParseTime parses an API's RFC 3339 datetime (any fraction of a second)
// into UTC, reporting false for an empty or malformed one.
func ParseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
