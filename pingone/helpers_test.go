package pingone_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
)

// getUserAtOnce reads the fixture's user n times at once and returns every error.
func (f *fixture) getUserAtOnce(ctx context.Context, n int) []error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range n {
		wg.Go(func() {
			if _, err := f.client.GetUser(ctx, f.userID, false); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errs
}

// listWhileRateLimited lists the fixture user's devices while PingOne answers every call with
// 429 and a Retry-After of 30 seconds, past the client's one-second cap on waiting.
func listWhileRateLimited(t *testing.T) (*fixture, error) {
	t.Helper()
	f := newFixture(t, func(c *pingone.Config) { c.RetryWaitMax = time.Second })
	f.emu.Inject(emulator.Fault{Route: "devices.list", Status: 429, RetryAfter: "30", Times: -1})
	_, err := f.client.ListDevices(context.Background(), f.userID)
	return f, err
}
