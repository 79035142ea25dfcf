package main

import (
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creatorscout/scout/creator"
)

// TestMeiliConfigTLS checks that SCOUT_MEILI_CA_FILE's authorities are the
// ones a Meilisearch client trusts, by a real TLS handshake with a
// loopback server whose certificate only that file vouches for.
func TestMeiliConfigTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"status":"available"}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	get := func(cfg config) error {
		mc, err := cfg.meiliConfig(srv.URL, "key", "")
		if err != nil {
			return err
		}
		if mc.Timeout != cfg.MeiliTimeout {
			t.Errorf("timeout %v, want %v", mc.Timeout, cfg.MeiliTimeout)
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: mc.TLS}, Timeout: 5 * time.Second}
		resp, err := c.Get(srv.URL + "/health")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	if err := get(config{MeiliCAFile: ca, MeiliTimeout: 7 * time.Second}); err != nil {
		t.Errorf("with the CA file: %v", err)
	}
	if err := get(config{}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA file: %v, want a certificate error", err)
	}
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	if _, err := (config{MeiliCAFile: junk}).meiliConfig(srv.URL, "", ""); !errors.Is(err, creator.ErrInvalid) {
		t.Errorf("a file with no certificate: %v, want ErrInvalid", err)
	}
	if _, err := (config{MeiliCAFile: filepath.Join(dir, "missing.pem")}).meiliConfig(srv.URL, "", ""); err == nil || !strings.Contains(err.Error(), "SCOUT_MEILI_CA_FILE") {
		t.Errorf("a missing file: %v, want an error naming SCOUT_MEILI_CA_FILE", err)
	}
}

func TestConfigMeiliTimeout(t *testing.T) {
	t.Setenv("SCOUT_MEILI_TIMEOUT", "45s")
	c, err := configFromEnv()
	if err != nil || c.MeiliTimeout != 45*time.Second {
		t.Errorf("configFromEnv = %v, %v; want a 45s timeout", c.MeiliTimeout, err)
	}
	t.Setenv("SCOUT_MEILI_TIMEOUT", "soon")
	if _, err := configFromEnv(); err == nil || !strings.Contains(err.Error(), "SCOUT_MEILI_TIMEOUT") {
		t.Errorf("configFromEnv with a bad timeout: %v", err)
	}
}

// TestConfigSQLiteSync: SCOUT_SQLITE_SYNC takes full or normal in any case
// (the store opens with it), and anything else is refused in words.
func TestConfigSQLiteSync(t *testing.T) {
	t.Setenv("SCOUT_SQLITE_SYNC", "normal")
	c, err := configFromEnv()
	if err != nil || c.SQLiteSync != "NORMAL" {
		t.Fatalf("configFromEnv = %q, %v; want NORMAL", c.SQLiteSync, err)
	}
	c.DataDir, c.Concurrency = t.TempDir(), 1
	a, err := newApp(t.Context(), c, withLogger(quietLogger()))
	if err != nil {
		t.Fatalf("newApp with SCOUT_SQLITE_SYNC=normal: %v", err)
	}
	a.Close()
	t.Setenv("SCOUT_SQLITE_SYNC", "fast")
	if _, err := configFromEnv(); err == nil || !strings.Contains(err.Error(), "SCOUT_SQLITE_SYNC: want full") {
		t.Errorf("configFromEnv with SCOUT_SQLITE_SYNC=fast: %v", err)
	}
}
