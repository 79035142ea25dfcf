package nichefit

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Creator is one influencer of the instagram-influencers set (Kim et al.
// 2020) with its captions, in the order the file lists them.
type Creator struct {
	Name     string
	Category string // beauty, family, fashion, fitness, food, interior, pet, travel, other
	Captions []string
	// Comments are the texts of the comments under its posts (up to 20 a
	// post), in file order: followers' words, never scored by the check.
	Comments []string
}

// Text is what the held-out check scores for a creator: all of its
// captions joined by newlines.
func (c *Creator) Text() string { return strings.Join(c.Captions, "\n") }

// LoadInstagram reads instagram-influencers/posts.jsonl.gz under dir and
// groups its posts by influencer, sorted by influencer name.
func LoadInstagram(dir string) ([]Creator, error) {
	path := filepath.Join(dir, "instagram-influencers", "posts.jsonl.gz")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading instagram-influencers: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	byName := map[string]*Creator{}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		var p struct {
			Influencer string `json:"influencer"`
			Category   string `json:"category"`
			Caption    string `json:"caption"`
			Comments   []struct {
				Text string `json:"text"`
			} `json:"comments"`
		}
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("decoding %s line %d: %w", path, line, err)
		}
		c := byName[p.Influencer]
		if c == nil {
			c = &Creator{Name: p.Influencer, Category: p.Category}
			byName[p.Influencer] = c
		}
		c.Captions = append(c.Captions, p.Caption)
		for _, cm := range p.Comments {
			c.Comments = append(c.Comments, cm.Text)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	out := make([]Creator, 0, len(byName))
	for _, c := range byName {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Tweet is one labeled tweet of X-Topic (TweetTopicXL).
type Tweet struct {
	Lang   string // en, es, gr, ja
	Split  string // train, validation
	ID     string
	Text   string
	Topics []string // topic ids labeled 1
}

// Topics lists X-Topic's topic ids.
var Topics = []string{"arts_&_culture", "business_&_entrepreneurs", "celebrity_&_pop_culture",
	"diaries_&_daily_life", "family", "fashion_&_style", "film_tv_&_video", "fitness_&_health",
	"food_&_dining", "gaming", "learning_&_educational", "music", "news_&_social_concern",
	"other_hobbies", "relationships", "science_&_technology", "sports", "travel_&_adventure",
	"youth_&_student_life"}

// LoadXTopic reads every <lang>_<split>.jsonl of x-topic under dir.
func LoadXTopic(dir string) ([]Tweet, error) {
	var out []Tweet
	for _, lang := range []string{"en", "es", "gr", "ja"} {
		for _, split := range []string{"train", "validation"} {
			path := filepath.Join(dir, "x-topic", lang+"_"+split+".jsonl")
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("reading x-topic: %w", err)
			}
			for i, l := range strings.Split(string(b), "\n") {
				if strings.TrimSpace(l) == "" {
					continue
				}
				var raw map[string]any
				if err := json.Unmarshal([]byte(l), &raw); err != nil {
					return nil, fmt.Errorf("decoding %s line %d: %w", path, i+1, err)
				}
				t := Tweet{Lang: lang, Split: split, ID: fmt.Sprint(raw["id"])}
				t.Text, _ = raw["text"].(string)
				for _, tp := range Topics {
					if v, _ := raw[tp].(float64); v >= 0.5 {
						t.Topics = append(t.Topics, tp)
					}
				}
				out = append(out, t)
			}
		}
	}
	return out, nil
}
