// Package testredis gives tests a Redis: the real server named by
// SCOUT_TEST_REDIS_URL when it is set (CI sets it), else an in-process
// miniredis. The same tests run both ways.
package testredis
