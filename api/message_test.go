package api

import (
	"errors"
	"fmt"
	"testing"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

func TestUserMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("getting alert nope: %w", fmt.Errorf("getting alert nope: %w", creator.ErrNotFound)), "not found"},
		{fmt.Errorf("creating watchlist: %w: cadence: at least one minute", creator.ErrInvalid), "cadence: at least one minute"},
		{fmt.Errorf("creating watchlist: webhooks[0].url: %w: 169.254.169.254 is a link-local address", creator.ErrForbidden), "webhooks[0].url: 169.254.169.254 is a link-local address"},
		{fmt.Errorf("members[1]: %w: looking up handle x: %w", creator.ErrInvalid, creator.ErrNotFound), "members[1]: looking up handle x: not found"},
		{errors.New("plain"), "plain"},
	}
	for _, tt := range tests {
		if got := userMessage(tt.err); got != tt.want {
			t.Errorf("userMessage(%q) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestEveryFieldDocumented keeps the search parameters' descriptions (with
// their units) in step with index.Fields.
func TestEveryFieldDocumented(t *testing.T) {
	for _, f := range index.Fields {
		if !f.Filterable {
			continue
		}
		docs := numericDocs
		if f.Kind == index.Keyword {
			docs = keywordDocs
		}
		if docs[f.Name] == "" {
			t.Errorf("search field %s has no description in table.go", f.Name)
		}
	}
}
