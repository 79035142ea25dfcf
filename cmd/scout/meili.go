package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
	"github.com/creatorscout/scout/index/meili"
)

// openMeili opens the Meilisearch store named by SCOUT_MEILI_URL.
func openMeili(ctx context.Context, cfg config) (index.Store, error) {
	mc, err := cfg.meiliConfig(cfg.MeiliURL, cfg.MeiliKey, "")
	if err != nil {
		return nil, err
	}
	st, err := meili.Open(ctx, mc)
	if err != nil {
		return nil, fmt.Errorf("opening meilisearch at %s: %w", cfg.MeiliURL, err)
	}
	return st, nil
}

// meiliConfig is the store configuration for the Meilisearch at url, with
// the request timeout and trusted authorities of cfg.
func (cfg config) meiliConfig(url, key, prefix string) (meili.Config, error) {
	mc := meili.Config{URL: url, APIKey: key, IndexPrefix: prefix, Timeout: cfg.MeiliTimeout}
	if cfg.MeiliCAFile != "" {
		pem, err := os.ReadFile(cfg.MeiliCAFile)
		if err != nil {
			return mc, fmt.Errorf("SCOUT_MEILI_CA_FILE: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return mc, fmt.Errorf("SCOUT_MEILI_CA_FILE: %w: %s holds no PEM certificate", creator.ErrInvalid, cfg.MeiliCAFile)
		}
		mc.TLS = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	return mc, nil
}
