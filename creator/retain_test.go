package creator

import (
	"fmt"
	"testing"
)

func TestRetain(t *testing.T) {
	p := &Profile{}
	for i := range 100 {
		p.Audience = append(p.Audience, Account{ID: fmt.Sprintf("f%d", i), Handle: fmt.Sprintf("follower%d", i)})
	}
	for i := range 50 {
		p.Comments = append(p.Comments, Comment{ID: fmt.Sprintf("c%d", i), Text: fmt.Sprintf("comment %d", i)})
	}
	s := &Scores{Details: []SubScore{
		{Name: "audience", Evidence: []Evidence{
			{Signal: "fake_share", Value: 0.1, SampleSize: 100},
			{Signal: "likely_fake_account", Value: 0.99, AccountID: "f7"},
			{Signal: "likely_fake_account", Value: 0.97, AccountID: "f42"},
		}},
		{Name: "comments", Evidence: []Evidence{{Signal: "generic_share", Value: 0.3, SampleSize: 50}}},
	}}
	p.Sample = &Sample{Followers: 100, Comments: 50}
	full := *p
	if full.Trimmed() {
		t.Error("a whole profile reads as trimmed")
	}
	Retain(p, s)
	if !p.Trimmed() {
		t.Error("a retained profile does not read as trimmed")
	}
	if len(p.Audience) != 2 || p.Audience[0].ID != "f7" || p.Audience[1].ID != "f42" {
		t.Errorf("audience kept %v, want the two accounts the evidence names, f7 and f42", p.Audience)
	}
	if len(p.Comments) != StoredComments || p.Comments[0].ID != "c0" || p.Comments[StoredComments-1].ID != fmt.Sprintf("c%d", StoredComments-1) {
		t.Errorf("kept %d comments starting %v, want the first %d", len(p.Comments), p.Comments[:1], StoredComments)
	}
	// The caller's slices are not written through: a profile shared with
	// the scorer or a hook still reads whole.
	if len(full.Audience) != 100 || full.Audience[0].ID != "f0" || full.Comments[StoredComments].ID != fmt.Sprintf("c%d", StoredComments) {
		t.Errorf("Retain changed the original samples: audience[0] %v", full.Audience[0])
	}

	// Nothing named, few comments: no audience kept, comments untouched.
	q := &Profile{Audience: []Account{{ID: "a"}}, Comments: []Comment{{ID: "x"}}}
	Retain(q, &Scores{})
	if len(q.Audience) != 0 || len(q.Comments) != 1 {
		t.Errorf("audience %v comments %v, want none and one", q.Audience, q.Comments)
	}
}
