package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// suiteReplacements is the contract of the phone replacements started and not finished
// (store.Replacements).
func suiteReplacements(t *testing.T, newStore func(t *testing.T) harness) {
	ctx := context.Background()

	t.Run("Replacement", func(t *testing.T) {
		h := newStore(t)
		rs := store.Replacements{S: h.s}
		r := &store.Replacement{UserID: "u1", Old: "dev1", New: "dev2", OldMasked: "•••1234", NewMasked: "•••0000"}
		if _, err := rs.Get(ctx, "u1", "dev2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get of none: %v, want ErrNotFound", err)
		}
		if err := rs.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
		if got, err := rs.Get(ctx, "u1", "dev2"); err != nil || *got != *r {
			t.Fatalf("Get = %+v, %v; want %+v", got, err, r)
		}
		if _, err := rs.Get(ctx, "u2", "dev2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another user's replacement: %v, want ErrNotFound", err)
		}
		if ttl := h.ttl("replace:u1:dev2"); ttl <= store.ReplacementTTL-10*time.Second || ttl > store.ReplacementTTL {
			t.Errorf("replace:u1:dev2 lives %v, want %v", ttl, store.ReplacementTTL)
		}
		// A record under the key that names another user or device is no replacement of this.
		if err := h.s.Set(ctx, "replace:u1:dev3", []byte(`{"u":"u9","o":"dev1","n":"dev3"}`), time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := rs.Get(ctx, "u1", "dev3"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a record of another user: %v, want ErrNotFound", err)
		}
		if err := rs.Delete(ctx, "u1", "dev2"); err != nil {
			t.Fatal(err)
		}
		if _, err := rs.Get(ctx, "u1", "dev2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
		}
	})
}
