package nichefit

import (
	"slices"

	"github.com/creatorscout/scout/scoring"
)

// head says which niches one model output drives and which labels of the
// data sets make a text a positive or a negative for it.
type head struct {
	name   string
	niches []string // taxonomy niche ids, the preferred sibling first
	ig     string   // instagram-influencers category that is a positive ("" for none)
	igOpen []string // instagram categories that say nothing of this head (neither label)
	xt     string   // x-topic topic that is a positive ("" when x-topic says nothing)
	// sibling marks a head whose instagram negatives are the creators of
	// its sibling's category (health_wellness for fitness, ...): they
	// weigh fully, so the category wins over the sibling.
	sibling bool
	// fallback marks the catch-all head (see scoring.NicheHead).
	fallback bool
	// softmax marks a head of the softmax group (Config.Softmax): the
	// eight instagram categories and otherHead.
	softmax bool
}

// The label mapping.
//
// instagram-influencers (Kim et al. 2020) labels each influencer with one
// of eight categories or "other": beauty -> beauty, fashion -> fashion,
// fitness -> fitness, food -> food, family -> family, interior -> home_diy,
// pet -> pets, travel -> travel. An influencer of one of the eight is a
// negative for every other head, siblings included (a family influencer is
// a negative for parenting, a fitness one for health_wellness, a travel one
// for outdoors), so that a creator's category wins over its sibling. An
// "other" influencer is a negative for the eight heads and says nothing of
// the rest (it may be a musician or a gamer). Heads that only X-Topic
// labels positively weigh instagram negatives by Config.XTOnlyIGWeight.
//
// X-Topic (TweetTopicXL) labels tweets with 19 topics; 15 map to niches as
// the held-out check maps them: arts_&_culture -> art_design, books,
// photography; business_&_entrepreneurs -> business, finance;
// diaries_&_daily_life -> lifestyle; family -> family, parenting;
// fashion_&_style -> fashion, beauty; film_tv_&_video -> film_tv;
// fitness_&_health -> fitness, health_wellness; food_&_dining -> food;
// gaming -> gaming; learning_&_educational -> education; music -> music;
// news_&_social_concern -> news_politics; science_&_technology -> tech,
// science; sports -> sports; travel_&_adventure -> travel, outdoors. A
// tweet with the topic is a positive for every niche it maps to, and a
// negative without it. celebrity_&_pop_culture, other_hobbies,
// relationships and youth_&_student_life map to no niche. Niches that
// only X-Topic separates from their siblings by nothing (art_design, books
// and photography; business and finance; tech and science) share one head,
// and the taxonomy's terms pick the sibling.
//
// automotive, sustainability and comedy have no labeled data; they, and
// operators' custom niches, are scored by the taxonomy alone.
var heads = []head{
	{name: "beauty", niches: []string{"beauty"}, ig: "beauty", xt: "fashion_&_style"},
	{name: "fashion", niches: []string{"fashion"}, ig: "fashion", xt: "fashion_&_style"},
	{name: "fitness", niches: []string{"fitness"}, ig: "fitness", xt: "fitness_&_health"},
	{name: "health_wellness", niches: []string{"health_wellness"}, sibling: true, igOpen: []string{"other"}, xt: "fitness_&_health"},
	{name: "food", niches: []string{"food"}, ig: "food", xt: "food_&_dining"},
	{name: "travel", niches: []string{"travel"}, ig: "travel", xt: "travel_&_adventure"},
	{name: "outdoors", niches: []string{"outdoors"}, sibling: true, igOpen: []string{"other"}, xt: "travel_&_adventure"},
	{name: "family", niches: []string{"family"}, ig: "family", xt: "family"},
	{name: "parenting", niches: []string{"parenting"}, sibling: true, igOpen: []string{"other"}, xt: "family"},
	{name: "home_diy", niches: []string{"home_diy"}, ig: "interior"},
	{name: "pets", niches: []string{"pets"}, ig: "pet"},
	{name: "gaming", niches: []string{"gaming"}, igOpen: []string{"other"}, xt: "gaming"},
	{name: "tech_science", niches: []string{"tech", "science"}, igOpen: []string{"other"}, xt: "science_&_technology"},
	{name: "business_finance", niches: []string{"business", "finance"}, igOpen: []string{"other"}, xt: "business_&_entrepreneurs"},
	{name: "education", niches: []string{"education"}, igOpen: []string{"other"}, xt: "learning_&_educational"},
	{name: "music", niches: []string{"music"}, igOpen: []string{"other"}, xt: "music"},
	{name: "film_tv", niches: []string{"film_tv"}, igOpen: []string{"other"}, xt: "film_tv_&_video"},
	{name: "arts", niches: []string{"art_design", "photography", "books"}, igOpen: []string{"other"}, xt: "arts_&_culture"},
	{name: "sports", niches: []string{"sports"}, igOpen: []string{"other"}, xt: "sports"},
	{name: "news_politics", niches: []string{"news_politics"}, igOpen: []string{"other"}, xt: "news_&_social_concern"},
	{name: "lifestyle", niches: []string{"lifestyle"}, igOpen: []string{"other"}, xt: "diaries_&_daily_life", fallback: true},
}

// taxFloor is the taxonomy relevance (two strong terms: 1-exp(-2/1.5))
// from which it floors the relevance of the heads only X-Topic labels
// (gaming, tech and science, music, ...): 20 to 40 positive tweets per
// head cannot overrule a text full of a niche's terms. The heads that
// instagram labels have thousands of creators and no floor (a floor there
// cost 2.5 points of held-out accuracy and broke calibration).
const taxFloor = 0.73

// TopicNiches maps the 15 X-Topic topics the held-out check reads to our
// niches, as the check maps them.
var TopicNiches = map[string][]string{
	"arts_&_culture":           {"art_design", "books", "photography"},
	"business_&_entrepreneurs": {"business", "finance"},
	"diaries_&_daily_life":     {"lifestyle"},
	"family":                   {"parenting", "family"},
	"fashion_&_style":          {"fashion", "beauty"},
	"film_tv_&_video":          {"film_tv"},
	"fitness_&_health":         {"fitness", "health_wellness"},
	"food_&_dining":            {"food"},
	"gaming":                   {"gaming"},
	"learning_&_educational":   {"education"},
	"music":                    {"music"},
	"news_&_social_concern":    {"news_politics"},
	"science_&_technology":     {"tech", "science"},
	"sports":                   {"sports"},
	"travel_&_adventure":       {"travel", "outdoors"},
}

// CategoryNiche maps an instagram-influencers category to the niche it is.
var CategoryNiche = map[string]string{"beauty": "beauty", "fashion": "fashion", "fitness": "fitness",
	"food": "food", "family": "family", "interior": "home_diy", "pet": "pets", "travel": "travel"}

// CreatorCandidates are the niches among which the held-out check takes a
// creator's category: the highest-relevance one of these.
var CreatorCandidates = []string{"beauty", "fashion", "fitness", "health_wellness", "food", "family",
	"parenting", "home_diy", "pets", "travel", "outdoors"}

// otherHead is the softmax group's rest of the world: instagram's "other"
// creators and the tweets of no instagram category. It names no niche.
var otherHead = head{name: "other", ig: "other", softmax: true}

// headsFor is the heads of cfg: with Softmax, the eight heads instagram
// labels (not their siblings) and otherHead form one softmax group.
func headsFor(cfg Config) []head {
	if !cfg.Softmax {
		return heads
	}
	hs := slices.Clone(heads)
	for i := range hs {
		if hs[i].ig != "" && !hs[i].sibling {
			hs[i].softmax = true
		}
	}
	return append(hs, otherHead)
}

// Heads returns the model's heads hs as the scoring package stores them,
// with cfg's taxonomy blends (Blend; BlendXT for the heads only X-Topic
// labels; BlendSibling, when above 0, for the siblings) and floors (the
// heads only X-Topic labels always; the siblings with SiblingFloor; the
// eight categories' heads with CategoryFloor).
func Heads(hs []head, cfg Config) []scoring.NicheHead {
	out := make([]scoring.NicheHead, len(hs))
	for i, h := range hs {
		out[i] = scoring.NicheHead{Name: h.name, Niches: append([]string(nil), h.niches...), Fallback: h.fallback, Blend: float32(cfg.Blend), Softmax: h.softmax}
		switch {
		case h.sibling:
			if cfg.BlendSibling > 0 {
				out[i].Blend = float32(cfg.BlendSibling)
			}
			if cfg.SiblingFloor {
				out[i].TaxFloor = taxFloor
			}
		case h.ig != "":
			if cfg.CategoryFloor && len(h.niches) > 0 {
				out[i].TaxFloor = taxFloor
			}
		case !h.fallback:
			out[i].TaxFloor = taxFloor
			out[i].Blend = float32(cfg.BlendXT)
		}
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// label is the example's label for head h: 1, 0, or -1 for unknown.
func (h *head) labelCreator(category string) int8 {
	switch {
	case contains(h.igOpen, category):
		return -1
	case h.ig != "" && category == h.ig:
		return 1
	}
	return 0
}

func (h *head) labelTweet(topics []string) int8 {
	if h.xt == "" {
		return -1
	}
	if contains(topics, h.xt) {
		return 1
	}
	return 0
}
