package scoring

import (
	"fmt"
	"testing"

	"github.com/creatorscout/scout/creator"
)

func TestScoreComments(t *testing.T) {
	mk := func(n int, f func(i int) creator.Comment) *creator.Profile {
		p := &creator.Profile{Ref: creator.Ref{ID: "me"}}
		for i := 0; i < n; i++ {
			p.Comments = append(p.Comments, f(i))
		}
		return p
	}
	tests := []struct {
		name        string
		p           *creator.Profile
		wantN       int
		wantGeneric float64
		wantDup     float64
		wantPod     bool
		maxScore    float64
		minScore    float64
	}{
		{"no comments", mk(0, nil), 0, 0, 0, false, 0, 0},
		{"all identical", mk(20, func(i int) creator.Comment {
			return commentOf(fmt.Sprint(i), fmt.Sprintf("p%d", i%5), fmt.Sprintf("u%d", i), "Nice post!")
		}), 20, 1, 1, false, 10, 0},
		{"emoji only", mk(10, func(i int) creator.Comment {
			return commentOf(fmt.Sprint(i), "p1", fmt.Sprintf("u%d", i), "🔥 🔥")
		}), 10, 1, 0, false, 45, 0},
		{"genuine", mk(12, func(i int) creator.Comment {
			return commentOf(fmt.Sprint(i), fmt.Sprintf("p%d", i%4), fmt.Sprintf("u%d", i), fmt.Sprintf("How long did step %d take you?", i))
		}), 12, 0, 0, false, 100, 99},
		{"own replies ignored", mk(5, func(i int) creator.Comment {
			return commentOf(fmt.Sprint(i), "p1", "me", "thanks!")
		}), 0, 0, 0, false, 0, 0},
		{"own reply first, then others on the same posts", func() *creator.Profile {
			p := mk(0, nil)
			p.Comments = append(p.Comments, commentOf("own", "p0", "me", "thanks all"))
			for i := 0; i < 40; i++ {
				p.Comments = append(p.Comments, commentOf(fmt.Sprint(i), fmt.Sprintf("p%d", i/4), fmt.Sprintf("pod%d", i%4), fmt.Sprintf("great insight on part %d", i)))
			}
			return p
		}(), 40, 0, 0, true, 75, 0},
		{"pod", mk(40, func(i int) creator.Comment {
			// Four accounts comment on each of ten posts.
			return commentOf(fmt.Sprint(i), fmt.Sprintf("p%d", i/4), fmt.Sprintf("pod%d", i%4), fmt.Sprintf("great insight on part %d", i))
		}), 40, 0, 0, true, 75, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scoreComments(tt.p)
			assertFinite(t, r.sub)
			if r.n != tt.wantN {
				t.Errorf("n = %d, want %d", r.n, tt.wantN)
			}
			if r.genericShare != tt.wantGeneric {
				t.Errorf("generic share = %v, want %v", r.genericShare, tt.wantGeneric)
			}
			if r.dupShare != tt.wantDup {
				t.Errorf("duplicate share = %v, want %v", r.dupShare, tt.wantDup)
			}
			if r.pod != tt.wantPod {
				t.Errorf("pod = %v, want %v", r.pod, tt.wantPod)
			}
			if r.sub.Score > tt.maxScore || r.sub.Score < tt.minScore {
				t.Errorf("score %v, want in [%v, %v]", r.sub.Score, tt.minScore, tt.maxScore)
			}
			if tt.wantN > 0 && r.sub.Summary == "" {
				t.Error("empty summary")
			}
		})
	}
}
