package pingone

import (
	"context"
	"sync"
	"time"
)

// briefCache keeps one value read from PingOne for a while: the environment's MFA settings,
// its device authentication policy. Concurrent callers with a cold cache share one request; a
// read PingOne refused is kept for retry, then tried again; one that failed because its
// caller's context ended is not kept.
type briefCache[T any] struct {
	mu       sync.Mutex
	val      *T
	fetched  time.Time
	inflight chan struct{}
	err      error
	failedAt time.Time
}

// get returns a copy of the kept value while it is younger than ttl, else fetches it.
func (bc *briefCache[T]) get(ctx context.Context, now func() time.Time, ttl, retry time.Duration, fetch func(context.Context) (*T, error)) (*T, error) {
	for {
		bc.mu.Lock()
		if bc.val != nil && now().Sub(bc.fetched) < ttl {
			v := *bc.val
			bc.mu.Unlock()
			return &v, nil
		}
		if bc.err != nil && bc.inflight == nil && now().Sub(bc.failedAt) < retry {
			err := bc.err
			bc.mu.Unlock()
			return nil, err
		}
		if wait := bc.inflight; wait != nil {
			bc.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			bc.mu.Lock()
			err := bc.err
			ok := bc.val != nil && now().Sub(bc.fetched) < ttl
			bc.mu.Unlock()
			if err != nil && !ok {
				return nil, err
			}
			continue
		}
		done := make(chan struct{})
		bc.inflight = done
		bc.mu.Unlock()

		v, err := fetch(ctx)
		bc.mu.Lock()
		bc.inflight, bc.err = nil, nil
		switch {
		case err == nil:
			bc.val, bc.fetched = v, now()
		case ctx.Err() == nil:
			// Only PingOne's refusal is kept: this caller's own timeout or cancellation says
			// nothing about the next caller, who (waiting or new) fetches for itself.
			bc.err, bc.failedAt = err, now()
		}
		bc.mu.Unlock()
		close(done)
		if err != nil {
			return nil, err
		}
		out := *v
		return &out, nil
	}
}
