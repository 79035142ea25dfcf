// Package api serves CreatorScout's HTTP API (JSON under /v1), its OpenAPI
// document and a small web page listing search results.
//
// Errors are JSON {"error":{"code":...,"message":...}}; an invalid
// parameter is a 400 whose message names it.
package api
