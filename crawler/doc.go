// Package crawler holds the Source interface and registry and the pipeline
// task handlers: discover (a query to creator refs) and crawl (a ref to a
// stored, scored record). Sources live in sub-packages and register
// themselves by name; the outbound HTTP client is crawler/fetch.
package crawler
