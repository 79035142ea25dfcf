package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/creatorscout/scout/crawler"
	"github.com/creatorscout/scout/creator"
	"github.com/creatorscout/scout/index"
)

// want is one creator a scenario's jobs must store (or, opted out, must
// not), from the simulator's own answer to the discovery.
type want struct {
	key, handle string
	optedOut    bool
}

// expected asks the simulator what discovering query with limit finds,
// paging as the Bluesky source does: accounts labelled
// !no-unauthenticated are left out (and must not be stored) and further
// pages asked for until limit others are found. It runs while the
// simulator answers normally.
func (c *cluster) expected(query string, limit int) ([]want, error) {
	var out []want
	kept, cursor := 0, ""
	for kept < limit {
		v := url.Values{"q": {query}, "limit": {strconv.Itoa(min(100, limit-kept))}}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		var page struct {
			Actors []struct {
				DID    string `json:"did"`
				Handle string `json:"handle"`
				Labels []struct {
					Val string `json:"val"`
				} `json:"labels"`
			} `json:"actors"`
			Cursor string `json:"cursor"`
		}
		if err := c.getJSON(c.simURL+"/xrpc/app.bsky.actor.searchActors?"+v.Encode(), &page); err != nil {
			return nil, fmt.Errorf("asking the simulator for %q: %w", query, err)
		}
		for _, a := range page.Actors {
			w := want{key: creator.Key(creator.Ref{Platform: creator.Bluesky, ID: a.DID}), handle: a.Handle}
			for _, l := range a.Labels {
				w.optedOut = w.optedOut || l.Val == "!no-unauthenticated"
			}
			if !w.optedOut {
				if kept == limit {
					continue
				}
				kept++
			}
			out = append(out, w)
		}
		if page.Cursor == "" || len(page.Actors) == 0 {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}

// jobView is GET /v1/jobs/{id}.
type jobView struct {
	index.Job
	Items []index.JobItem `json:"items"`
}

func (c *cluster) job(id string) (*jobView, error) {
	var j jobView
	if err := c.getJSON(c.apiURL+"/v1/jobs/"+url.PathEscape(id), &j); err != nil {
		return nil, fmt.Errorf("reading job %s: %w", id, err)
	}
	return &j, nil
}

// submit starts a discover job through the API.
func (c *cluster) submit(query string, limit int) (string, error) {
	var j index.Job
	err := c.postJSON(c.apiURL+"/v1/discover", map[string]any{"source": creator.Bluesky, "query": query, "limit": limit}, &j)
	if err != nil {
		return "", fmt.Errorf("submitting discover %q: %w", query, err)
	}
	return j.ID, nil
}

func ended(state string) bool { return state == index.JobDone || state == index.JobFailed }

// liveWorker reports whether the worker running the task with id (in
// queue) is alive: not one the suite killed while it ran the task (its
// lease not extended since), and still extending the lease (asynq's
// workers extend their tasks' leases every 5 s to 30 s ahead; one that
// stopped crawler.StrandedAfter ago is dead).
func (c *cluster) liveWorker(queue, id string) (bool, error) {
	score, err := c.rdb.ZScore(context.Background(), "asynq:{"+queue+"}:lease", id).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	at, killed := c.killedLeases[id]
	c.mu.Unlock()
	if killed && score <= at {
		return false, nil
	}
	return time.Unix(int64(score), 0).After(time.Now().Add(30*time.Second - crawler.StrandedAfter)), nil
}

// noteKilled records, before w is killed, the leases of the tasks it runs
// (as its last heartbeat listed them), so that they count as unattended
// until a live worker holds them.
func (c *cluster) noteKilled(w *proc) (int, error) {
	servers, err := c.insp.Servers()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range servers {
		if s.PID != w.pid() {
			continue
		}
		for _, t := range s.ActiveWorkers {
			score, err := c.rdb.ZScore(context.Background(), "asynq:{"+t.Queue+"}:lease", t.TaskID).Result()
			if err != nil {
				continue // finished meanwhile
			}
			c.mu.Lock()
			c.killedLeases[t.TaskID] = score
			c.mu.Unlock()
			n++
		}
	}
	return n, nil
}

// unattended counts the work of the jobs that nothing will do: a queued
// job whose discover task is gone, a pending item whose crawl task is gone,
// finished, or held by a dead worker. Zero means every piece of unfinished
// work is queued or running on a live worker.
func (c *cluster) unattended(jobs []*jobView) (int, error) {
	isLive := func(queue, id string) (bool, error) {
		ti, err := c.insp.GetTaskInfo(queue, id)
		if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
			if c.opts.verbose {
				fmt.Fprintf(os.Stderr, "chaos: %s unattended: not in the queue\n", id)
			}
			return false, nil
		}
		if err != nil {
			return false, err
		}
		ok := false
		switch ti.State {
		case asynq.TaskStatePending, asynq.TaskStateScheduled, asynq.TaskStateRetry, asynq.TaskStateAggregating:
			ok = true
		case asynq.TaskStateActive:
			if ok, err = c.liveWorker(queue, id); err != nil {
				return false, err
			}
		}
		// completed or archived: no more attempts
		if !ok && c.opts.verbose {
			fmt.Fprintf(os.Stderr, "chaos: %s unattended: %v (last error %q)\n", id, ti.State, ti.LastErr)
		}
		return ok, nil
	}
	n := 0
	for _, j := range jobs {
		id := j.ID
		if ended(j.State) {
			continue
		}
		if j.State == index.JobQueued {
			ok, err := isLive(crawler.QueueInteractive, "discover-"+id)
			if err != nil {
				return 0, err
			}
			if !ok {
				n++
			}
			continue
		}
		var gone []string
		for _, it := range j.Items {
			if it.State != index.ItemPending {
				continue
			}
			ok, err := isLive(crawler.QueueInteractive, "crawl-"+id+"-"+it.Key)
			if err != nil {
				return 0, err
			}
			if !ok {
				gone = append(gone, it.Key)
			}
		}
		if len(gone) == 0 {
			continue
		}
		// A crawl that ended after the job was read left the queue with
		// its item done: count only the items still pending now.
		again, err := c.job(id)
		if err != nil {
			return 0, err
		}
		still := map[string]bool{}
		for _, it := range again.Items {
			still[it.Key] = it.State == index.ItemPending
		}
		for _, k := range gone {
			if still[k] {
				n++
			}
		}
	}
	return n, nil
}

// jobs reads the jobs.
func (c *cluster) jobs(ids []string) ([]*jobView, error) {
	var out []*jobView
	for _, id := range ids {
		j, err := c.job(id)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// finished sums the finished items of the jobs and counts the jobs that
// have not ended.
func finished(jobs []*jobView) (items, open int) {
	for _, j := range jobs {
		items += j.Counts.Done + j.Counts.Skipped + j.Counts.Failed
		if !ended(j.State) {
			open++
		}
	}
	return items, open
}

// recovery is how the jobs came back after a fault cleared at t0.
type recovery struct {
	// attended: from t0 until every unfinished piece of work was queued
	// or running on a live worker again; resumed: until an item finished
	// that had not at t0; done: until every job ended. Negative: never,
	// within the deadline.
	attended, resumed, done time.Duration
	// maxUnattended is the most work seen unattended after t0.
	maxUnattended int
	// lastErr is the last error of a poll (the API or Redis coming back).
	lastErr error
}

// watch polls the jobs from t0 until they end or the deadline passes.
// The work counts as attended again from the first poll that found none
// unattended after the last that found some.
func (c *cluster) watch(ctx context.Context, ids []string, t0, deadline time.Time) (recovery, error) {
	r := recovery{attended: -1, resumed: -1, done: -1}
	jobs, err := c.jobs(ids)
	for err != nil && time.Now().Before(deadline) {
		// The API may still be coming back.
		time.Sleep(200 * time.Millisecond)
		jobs, err = c.jobs(ids)
	}
	if err != nil {
		return r, err
	}
	base, _ := finished(jobs)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return r, ctx.Err()
		}
		jobs, err := c.jobs(ids)
		if err == nil {
			items, open := finished(jobs)
			if r.resumed < 0 && (items > base || open == 0) {
				r.resumed = time.Since(t0)
			}
			if open == 0 {
				if r.attended < 0 {
					r.attended = time.Since(t0)
				}
				r.done = time.Since(t0)
				return r, nil
			}
			if n, err := c.unattended(jobs); err == nil {
				r.maxUnattended = max(r.maxUnattended, n)
				switch {
				case n > 0:
					r.attended = -1
				case r.attended < 0:
					r.attended = time.Since(t0)
				}
			} else {
				r.lastErr = err
			}
		} else {
			r.lastErr = err
		}
		time.Sleep(500 * time.Millisecond)
	}
	return r, nil
}

// tally is a scenario's counted outcome.
type tally struct {
	expected, stored, duplicated, lost int
	// leaked: opted-out creators stored; recrawled: creators with more
	// than one snapshot since the scenario began; failedItems: items the
	// jobs gave up on; stuck: jobs not ended at the deadline.
	leaked, recrawled, failedItems, stuck int
	lostKeys                              []string
}

// count checks every expected creator in the store through the API:
// stored once (one record with its handle), at least one snapshot since
// since, opted-out ones not stored at all.
func (c *cluster) count(ctx context.Context, ids []string, wants []want, since time.Time) (tally, error) {
	var t tally
	seen := map[string]bool{}
	for _, w := range wants {
		if seen[w.key] {
			continue
		}
		seen[w.key] = true
		var rec struct {
			Profile struct {
				Ref creator.Ref `json:"ref"`
			} `json:"profile"`
		}
		err := c.getJSON(c.apiURL+"/v1/creators/"+url.PathEscape(w.key), &rec)
		var he *httpError
		notFound := errors.As(err, &he) && he.status == 404
		if err != nil && !notFound {
			return t, fmt.Errorf("reading creator %s: %w", w.key, err)
		}
		if w.optedOut {
			if !notFound {
				t.leaked++
			}
			continue
		}
		t.expected++
		if notFound {
			t.lost++
			t.lostKeys = append(t.lostKeys, w.handle)
			continue
		}
		t.stored++
		var res struct {
			Total int `json:"total"`
		}
		if err := c.getJSON(c.apiURL+"/v1/creators?per_page=1&handle="+url.QueryEscape(w.handle), &res); err != nil {
			return t, fmt.Errorf("searching handle %s: %w", w.handle, err)
		}
		if res.Total > 1 {
			t.duplicated += res.Total - 1
		}
		var hist struct {
			Snapshots []struct {
				At time.Time `json:"at"`
			} `json:"snapshots"`
		}
		if err := c.getJSON(c.apiURL+"/v1/creators/"+url.PathEscape(w.key)+"/history", &hist); err != nil {
			return t, fmt.Errorf("reading history of %s: %w", w.key, err)
		}
		n := 0
		for _, s := range hist.Snapshots {
			if !s.At.Before(since.Add(-time.Second)) {
				n++
			}
		}
		if n > 1 {
			t.recrawled++
		}
	}
	for _, id := range ids {
		j, err := c.job(id)
		if err != nil {
			return t, err
		}
		if !ended(j.State) {
			t.stuck++
		}
		t.failedItems += j.Counts.Failed
	}
	return t, nil
}
