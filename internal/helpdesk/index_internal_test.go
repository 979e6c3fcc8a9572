package helpdesk

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// TestIndexLeavesAnotherInstancesLock: when another instance holds the approvals' lock past
// the wait, the list is still changed (an entry lost that way only hides a request), and the
// other instance's lock is not released by this one.
func TestIndexLeavesAnotherInstancesLock(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory(store.MemoryOptions{JanitorInterval: -1})
	v := NewVerifier(nil, st, VerifierOptions{})
	if err := st.Set(ctx, approvalLockKey, []byte("other"), 11*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := v.index(ctx, func(ids []string) []string { return append(ids, "a1") }); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Get(ctx, approvalLockKey); err != nil || string(got) != "other" {
		t.Errorf("the other instance's lock: %q %v", got, err)
	}
	var ids []string
	if _, err := v.get(ctx, approvalIndexKey, &ids); err != nil || !slices.Equal(ids, []string{"a1"}) {
		t.Errorf("index %v %v", ids, err)
	}
	// Free, the lock is taken and let go again.
	_ = st.Delete(ctx, approvalLockKey)
	if err := v.index(ctx, func(ids []string) []string { return append(ids, "a2") }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(ctx, approvalLockKey); err == nil {
		t.Error("the lock this call took is still held")
	}
}
