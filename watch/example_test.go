package watch_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/creatorscout/scout/watch"
)

// A receiver checks each webhook request before trusting it: the HMAC of
// the timestamp, a full stop and the raw body, keyed with the webhook's
// secret, must match X-Scout-Signature, and the timestamp must be recent.
func ExampleVerify() {
	secret := "whsec_example"
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		if err := watch.Verify(secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// X-Scout-Delivery is the same on every retry: drop repeats.
		fmt.Println("verified", r.Header.Get(watch.HeaderEvent), r.Header.Get(watch.HeaderDelivery))
		w.WriteHeader(http.StatusNoContent)
	})

	// What CreatorScout sends, signed as HandleDeliver signs it.
	body := []byte(`{"id":"al-1","type":"alert","watchlist":{"id":"wl-1","name":"Clients"},"event":{"kind":"follower_spike"}}`)
	ts := time.Now().Unix()
	req := httptest.NewRequest(http.MethodPost, "/scout", strings.NewReader(string(body)))
	req.Header.Set(watch.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(watch.HeaderSignature, watch.Sign(secret, ts, body))
	req.Header.Set(watch.HeaderEvent, "follower_spike")
	req.Header.Set(watch.HeaderDelivery, "al-1")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)

	// A tampered body is refused.
	req = httptest.NewRequest(http.MethodPost, "/scout", strings.NewReader(strings.Replace(string(body), "spike", "spiky", 1)))
	req.Header = req.Header.Clone()
	req.Header.Set(watch.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(watch.HeaderSignature, watch.Sign(secret, ts, body))
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// verified follower_spike al-1
	// 204
	// 401
}
