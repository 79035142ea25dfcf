package scoring

import (
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/google/go-cmp/cmp"
)

func TestDisclosure(t *testing.T) {
	tests := []struct {
		name            string
		text            string
		tags            []string
		wantSponsored   bool
		wantUndisclosed bool
	}{
		{"hashtag ad", "Loving my new blender #ad", nil, true, false},
		{"paid partnership", "Paid partnership with Brandly: their serum is great", nil, true, false},
		{"german werbung", "Neues Rezept mit dem Mixer von @kuechenprofi #werbung", nil, true, false},
		{"anzeige tag field", "Neues Rezept", []string{"Anzeige"}, true, false},
		{"bracketed ad", "[Ad] Brandly sent me this kettle", nil, true, false},
		{"discount code undisclosed", "Use code SAM20 for 20% off my favourite pan", nil, true, true},
		{"brand call with mention", "Huge thanks to @panco for this skillet", nil, true, true},
		{"brand call without mention", "Thanks to everyone who came", nil, false, false},
		{"link in bio", "Game changer, link in bio", nil, true, true},
		{"percent off", "Everything is 30% off this weekend", nil, true, true},
		{"percent alone", "Battery at 30% already", nil, false, false},
		{"plain post", "Sunday roast with the family", nil, false, false},
		{"the word ad alone", "I saw an ad for this on TV", nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &creator.Profile{Posts: []creator.Post{{ID: "p1", Text: tt.text, Hashtags: tt.tags}}}
			s := Snapshot(p, creator.Scores{})
			gotS := len(s.SponsoredPostIDs) == 1
			gotU := len(s.UndisclosedPostIDs) == 1
			if gotS != tt.wantSponsored || gotU != tt.wantUndisclosed {
				t.Errorf("sponsored %v undisclosed %v, want %v %v", gotS, gotU, tt.wantSponsored, tt.wantUndisclosed)
			}
		})
	}
}

func TestSafetyFlagsPostsAsEvidence(t *testing.T) {
	p := &creator.Profile{
		Posts: []creator.Post{
			{ID: "clean", Text: "Morning run by the river"},
			{ID: "swear", Text: "This fucking oven broke again"},
			{ID: "bet", Text: "Placing my parlay at the sportsbook tonight"},
		},
	}
	m := newMatcher(defaultTaxonomy)
	nr := scoreNiches(m, p)
	s := scoreSafety(p, nr.posts, nr.bioFlags, 0)
	var got []string
	for _, e := range s.Evidence {
		got = append(got, e.Signal+":"+e.PostID)
	}
	want := []string{"sensitive_profanity:swear", "sensitive_gambling:bet"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	if s.Score >= 100 || s.Score < 0 {
		t.Errorf("score %v, want below 100", s.Score)
	}
	labeled := &creator.Profile{Labels: []string{"porn"}}
	if ls := scoreSafety(labeled, nil, 0, 0); ls.Score > 40 || ls.Label != "risky" {
		t.Errorf("adult-labelled account: score %v label %q, want risky", ls.Score, ls.Label)
	}
}
