package jetstream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/creatorscout/scout/creator"
)

// Event kinds of the v1 wire.
const (
	KindCommit   = "commit"
	KindIdentity = "identity"
	KindAccount  = "account"
)

// Commit operations.
const (
	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
)

// Collections the consumer reads by default.
const (
	CollectionPost   = "app.bsky.feed.post"
	CollectionFollow = "app.bsky.graph.follow"
	CollectionRepost = "app.bsky.feed.repost"
	CollectionLike   = "app.bsky.feed.like"
)

// DefaultCollections are the wantedCollections asked for when none are
// configured: posts (their authors, and niche text), follows (their
// targets) and reposts (the reposted authors).
var DefaultCollections = []string{CollectionPost, CollectionFollow, CollectionRepost}

// Event is one event of the Jetstream v1 /subscribe wire. Only the fields
// the consumer uses are decoded; the rest of a record is skipped.
type Event struct {
	DID string `json:"did"`
	// TimeUS is the event's time in unix microseconds: the v1 cursor.
	TimeUS   int64     `json:"time_us"`
	Kind     string    `json:"kind"`
	Commit   *Commit   `json:"commit,omitempty"`
	Identity *Identity `json:"identity,omitempty"`
	Account  *Account  `json:"account,omitempty"`
}

// Commit is a record created, updated or deleted in a repository.
type Commit struct {
	Rev        string `json:"rev"`
	Operation  string `json:"operation"`
	Collection string `json:"collection"`
	RKey       string `json:"rkey"`
	CID        string `json:"cid,omitempty"`
	// Record is absent on deletes.
	Record *Record `json:"record,omitempty"`
}

// Record is the part of a record the consumer reads: a post's text and
// languages, and the subject of a follow (a DID) or of a like or repost
// (a post's URI).
type Record struct {
	Type      string   `json:"$type"`
	Text      string   `json:"text,omitempty"`
	Langs     []string `json:"langs,omitempty"`
	Subject   Subject  `json:"subject"`
	CreatedAt string   `json:"createdAt,omitempty"`
}

// Subject is a record's subject: a follow's is the followed DID; a like's
// or repost's is a strong reference {uri, cid} to a post.
type Subject struct {
	DID string
	URI string
	CID string
}

// UnmarshalJSON reads either form of a subject; anything else (a block's
// DID is a string too) is kept as it is read.
func (s *Subject) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*s = Subject{}
		return nil
	case b[0] == '"':
		var did string
		if err := json.Unmarshal(b, &did); err != nil {
			return err
		}
		*s = Subject{DID: did}
		return nil
	case b[0] == '{':
		var ref struct {
			URI string `json:"uri"`
			CID string `json:"cid"`
		}
		if err := json.Unmarshal(b, &ref); err != nil {
			return err
		}
		*s = Subject{URI: ref.URI, CID: ref.CID, DID: DIDOfURI(ref.URI)}
		return nil
	}
	*s = Subject{} // a subject of another shape names no account
	return nil
}

// MarshalJSON writes the subject back in the form it was read in.
func (s Subject) MarshalJSON() ([]byte, error) {
	if s.URI != "" || s.CID != "" {
		return json.Marshal(map[string]string{"uri": s.URI, "cid": s.CID})
	}
	if s.DID == "" {
		return []byte("null"), nil
	}
	return json.Marshal(s.DID)
}

// Identity is an account's identity change (a new handle, or a refresh
// with no handle given).
type Identity struct {
	DID    string `json:"did"`
	Handle string `json:"handle,omitempty"`
	Seq    int64  `json:"seq"`
	Time   string `json:"time"`
}

// Account is a change of an account's hosting status. Active false means
// it is deactivated, deleted, taken down or suspended (Status says which).
type Account struct {
	DID    string `json:"did"`
	Active bool   `json:"active"`
	Status string `json:"status,omitempty"`
	Seq    int64  `json:"seq"`
	Time   string `json:"time"`
}

// Decode reads one v1 frame into ev, which is reset first (so one Event
// can be reused frame after frame). A frame without a did, time or kind
// is an error wrapping creator.ErrMalformed.
func Decode(frame []byte, ev *Event) error {
	*ev = Event{}
	if err := json.Unmarshal(frame, ev); err != nil {
		return fmt.Errorf("decoding jetstream event: %w: %w", creator.ErrMalformed, err)
	}
	if ev.DID == "" || ev.TimeUS <= 0 || ev.Kind == "" {
		return fmt.Errorf("decoding jetstream event: %w: did, time_us and kind are required", creator.ErrMalformed)
	}
	return nil
}

// DIDOfURI returns the repository DID of an at:// URI, or "".
func DIDOfURI(uri string) string {
	rest, ok := strings.CutPrefix(uri, "at://")
	if !ok {
		return ""
	}
	did, _, _ := strings.Cut(rest, "/")
	if !strings.HasPrefix(did, "did:") {
		return ""
	}
	return did
}

// validDID reports whether s looks like a DID the AppView can look up.
func validDID(s string) bool {
	if len(s) < 8 || len(s) > 256 || !strings.HasPrefix(s, "did:") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '/' || c == '?' || c == '#' || c >= 0x7f {
			return false
		}
	}
	return true
}
