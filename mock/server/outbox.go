package server

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/ufhook/ufhook/mock"
	"github.com/ufhook/ufhook/openapi"
)

// deliver runs the outbox: a dispatcher hands due rows to Workers
// goroutines, each of which makes one attempt and records it. A row is
// marked delivered only after a 2xx; a failed attempt is rescheduled with
// the emitter's retry policy, or marked failed once retries run out or the
// failure is not retryable.
func (s *Server) deliver(ctx context.Context) {
	jobs := make(chan outboxRow)
	finished := make(chan int64, s.cfg.Workers)
	var wg sync.WaitGroup
	for range s.cfg.Workers {
		wg.Go(func() {
			for row := range jobs {
				s.attempt(ctx, row)
				finished <- row.ID
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)

	inflight := make(map[int64]bool, s.cfg.Workers)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		dispatched := false
		rows, err := s.db.due(ctx, time.Now().UnixMilli(), s.cfg.Workers*2+16)
		if err != nil && ctx.Err() == nil {
			s.logf("outbox: read pending deliveries: %v", err)
		}
	batch:
		for _, row := range rows {
			if inflight[row.ID] {
				continue
			}
			if len(inflight) >= s.cfg.Workers {
				// Wait for a worker, then read the due rows again: the
				// rows read before may have been delivered meanwhile, and
				// one must never be handed out twice.
				select {
				case id := <-finished:
					delete(inflight, id)
					dispatched = true
					break batch
				case <-ctx.Done():
					return
				}
			}
			select {
			case jobs <- row:
				inflight[row.ID] = true
				dispatched = true
			case <-ctx.Done():
				return
			}
		}
		if dispatched {
			continue
		}
		// Nothing new to hand out: sleep until a row is due, a row is
		// added, or a worker finishes.
		wait := time.Second
		if at, ok, err := s.db.nextDue(ctx, inflight); err == nil && ok {
			if d := time.Until(time.UnixMilli(at)); d < wait {
				wait = max(d, time.Millisecond)
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case id := <-finished:
			delete(inflight, id)
		case <-s.notify:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// attempt makes one delivery attempt of row and records it. An attempt cut
// short by shutdown is not recorded, so the row stays pending for the next
// run.
func (s *Server) attempt(ctx context.Context, row outboxRow) {
	started := time.Now()
	// The row names its event; a row of an event that the document in use
	// lacks fails its attempt with openapi.ErrUnknownEvent.
	var url string
	var a mock.Attempt
	if ev, err := openapi.Lookup(row.Event); err != nil {
		a = mock.Attempt{Err: err}
	} else {
		url = s.emitter.URL(ev)
		a = s.emitter.Try(ctx, ev, row.Body)
	}
	if ctx.Err() != nil {
		return
	}
	n := row.Attempts + 1
	var errText string
	if a.Err != nil {
		errText = a.Err.Error()
	}
	state, next := statePending, int64(0)
	switch {
	case a.OK():
		state = stateDelivered
	case a.Retryable() && n <= s.cfg.Emitter.Retry.Retries:
		next = time.Now().Add(s.cfg.Emitter.Retry.Delay(n, a.RetryAfter)).UnixMilli()
	default:
		state = stateFailed
	}
	err := s.db.tx(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO attempts (outbox_id, n, url, started_at, status, latency_us, error, excerpt, retry_after_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			row.ID, n, url, started.UnixMilli(), a.Status, a.Latency.Microseconds(), errText, a.Excerpt, a.RetryAfter.Milliseconds()); err != nil {
			return err
		}
		var done any
		if state != statePending {
			done = time.Now().UnixMilli()
		}
		nextAt := row.NextAt
		if next > 0 {
			nextAt = next
		}
		_, err := tx.Exec(`UPDATE outbox SET state = ?, attempts = ?, next_at = ?, done_at = ?, last_status = ?, last_error = ?, latency_us = ?
			WHERE id = ? AND state = ?`,
			state, n, nextAt, done, a.Status, errText, a.Latency.Microseconds(), row.ID, statePending)
		return err
	})
	if err != nil {
		if !errors.Is(err, sql.ErrConnDone) {
			s.logf("outbox: record attempt %d of delivery #%d: %v", n, row.ID, err)
		}
		return
	}
	s.logf("delivery #%d %s attempt %d: %s", row.ID, row.Event, n, describe(a.Status, errText, state))
	s.publishDelivery(ctx, row.ID)
}

func describe(status int, errText, state string) string {
	out := state
	if status > 0 {
		out = "HTTP " + strconv.Itoa(status) + ", " + state
	}
	if errText != "" {
		out += " (" + errText + ")"
	}
	return out
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}
