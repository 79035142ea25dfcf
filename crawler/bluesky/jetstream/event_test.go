package jetstream

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorded is the folder of the recorded Jetstream events.
var recorded = filepath.Join("..", "..", "..", "..", "shared", "fixtures", "api", "jetstream")

// recordedFrames reads the 152 recorded v1 events, one frame a line; the
// test skips when the recording is absent.
func recordedFrames(tb testing.TB) [][]byte {
	tb.Helper()
	f, err := os.Open(filepath.Join(recorded, "expected_v1.jsonl"))
	if err != nil {
		tb.Skipf("recorded Jetstream events not found: %v", err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, append([]byte(nil), line...))
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// used is what the consumer reads of an event, taken from a generic
// decoding of the frame (the reference) or from an Event.
type used struct {
	DID, Kind, Op, Collection, RKey, Text, SubjectDID, SubjectURI, Handle, Status string
	TimeUS                                                                        int64
	Langs                                                                         []string
	Active                                                                        *bool
}

func usedOf(ev *Event) used {
	u := used{DID: ev.DID, Kind: ev.Kind, TimeUS: ev.TimeUS}
	if c := ev.Commit; c != nil {
		u.Op, u.Collection, u.RKey = c.Operation, c.Collection, c.RKey
		if r := c.Record; r != nil {
			u.Text, u.Langs, u.SubjectDID, u.SubjectURI = r.Text, r.Langs, r.Subject.DID, r.Subject.URI
		}
	}
	if ev.Identity != nil {
		u.Handle = ev.Identity.Handle
	}
	if ev.Account != nil {
		a := ev.Account.Active
		u.Active, u.Status = &a, ev.Account.Status
	}
	return u
}

func usedOfGeneric(t *testing.T, frame []byte) used {
	var g map[string]any
	d := json.NewDecoder(bytes.NewReader(frame))
	d.UseNumber()
	if err := d.Decode(&g); err != nil {
		t.Fatal(err)
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	ts, _ := g["time_us"].(json.Number).Int64()
	u := used{DID: str(g, "did"), Kind: str(g, "kind"), TimeUS: ts}
	if c, ok := g["commit"].(map[string]any); ok {
		u.Op, u.Collection, u.RKey = str(c, "operation"), str(c, "collection"), str(c, "rkey")
		if r, ok := c["record"].(map[string]any); ok {
			u.Text = str(r, "text")
			if ls, ok := r["langs"].([]any); ok {
				for _, l := range ls {
					u.Langs = append(u.Langs, l.(string))
				}
			}
			switch s := r["subject"].(type) {
			case string:
				u.SubjectDID = s
			case map[string]any:
				u.SubjectURI = str(s, "uri")
				u.SubjectDID = DIDOfURI(u.SubjectURI)
			}
		}
	}
	if i, ok := g["identity"].(map[string]any); ok {
		u.Handle = str(i, "handle")
	}
	if a, ok := g["account"].(map[string]any); ok {
		act := a["active"].(bool)
		u.Active, u.Status = &act, str(a, "status")
	}
	return u
}

// TestDecodeRecorded decodes every recorded event and loses none of the
// fields the consumer uses: each matches a generic decoding of the frame.
func TestDecodeRecorded(t *testing.T) {
	frames := recordedFrames(t)
	if len(frames) != 152 {
		t.Fatalf("read %d recorded events, want 152", len(frames))
	}
	kinds := map[string]int{}
	var ev Event
	for i, f := range frames {
		if err := Decode(f, &ev); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if diff := cmp.Diff(usedOfGeneric(t, f), usedOf(&ev)); diff != "" {
			t.Errorf("event %d (-generic +decoded):\n%s", i, diff)
		}
		k := ev.Kind
		if ev.Commit != nil {
			k += " " + ev.Commit.Operation + " " + ev.Commit.Collection
		}
		kinds[k]++
	}
	want := map[string]int{
		"commit create app.bsky.feed.like": 105, "commit create app.bsky.feed.post": 17,
		"commit create app.bsky.feed.repost": 15, "commit create app.bsky.graph.follow": 6,
		"commit delete app.bsky.graph.follow": 3, "commit update fm.teal.alpha.actor.status": 1,
		"commit create app.bsky.graph.block": 1, "commit update app.bsky.actor.status": 1,
		"commit delete app.bsky.feed.post": 1, "identity": 1, "account": 1,
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
}

// TestDecodeMalformed: a frame that is not an event is an error that
// says so, and the Event is reset, never half-filled from before.
func TestDecodeMalformed(t *testing.T) {
	var ev Event
	for name, frame := range map[string]string{
		"not json":   `{"did":`,
		"no kind":    `{"did":"did:plc:x","time_us":1}`,
		"no time":    `{"did":"did:plc:x","kind":"commit"}`,
		"wrong type": `{"did":"did:plc:x","time_us":"soon","kind":"commit"}`,
	} {
		ev = Event{DID: "did:plc:old", Kind: "commit"}
		err := Decode([]byte(frame), &ev)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		if ev.DID == "did:plc:old" {
			t.Errorf("%s: the event kept its previous contents", name)
		}
	}
	if DIDOfURI("at://did:plc:abc/app.bsky.feed.post/3k") != "did:plc:abc" || DIDOfURI("https://x") != "" || DIDOfURI("at://handle.test/x") != "" {
		t.Error("DIDOfURI")
	}
}
