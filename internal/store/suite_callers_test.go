package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// testCallerRecords is the contract of the help desk's caller-check records (store.Callers) on
// every backend: the keys older instances wrote are read, single use holds, records expire.
func testCallerRecords(t *testing.T, newStore func(t *testing.T) harness) {
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)

	t.Run("CheckOnTheWire", func(t *testing.T) {
		h := newStore(t)
		r := store.Callers(h.s)
		if c, err := r.Check(ctx, "agent", "user"); c != nil || err != nil {
			t.Fatalf("Check with none kept: %+v %v", c, err)
		}
		// As an instance before issue 22 wrote it (audit.Person's field names).
		old := `{"agent":"agent","user":"user","kind":"approval","approver":{"ID":"a2","Username":"hilda"},` +
			`"signals":["recent_change"],"at":"2026-12-07T20:00:00Z","until":"2026-12-07T20:15:00Z"}`
		if err := h.s.Set(ctx, "hd:verified:agent:user", []byte(old), long); err != nil {
			t.Fatal(err)
		}
		c, err := r.Check(ctx, "agent", "user")
		if err != nil || c == nil || c.Kind != "approval" || c.Approver != (store.Person{ID: "a2", Username: "hilda"}) ||
			len(c.Signals) != 1 || !c.Until.Equal(at.Add(15*time.Minute)) {
			t.Fatalf("Check of an old record: %+v %v", c, err)
		}
		if c, _ := r.Check(ctx, "user", "agent"); c != nil {
			t.Fatalf("another agent's key: %+v", c)
		}
		if err := r.DeleteCheck(ctx, "agent", "user"); err != nil {
			t.Fatal(err)
		}
		if _, err := h.s.Get(ctx, "hd:verified:agent:user"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after DeleteCheck: %v", err)
		}
	})

	t.Run("CheckLastsItsTTL", func(t *testing.T) {
		h := newStore(t)
		r := store.Callers(h.s)
		if err := r.PutCheck(ctx, store.CallerCheck{Agent: "agent", User: "user", Kind: "sms", At: at, Until: at.Add(short)}); err != nil {
			t.Fatal(err)
		}
		if b, err := h.s.Get(ctx, store.CallerCheckPrefix+"agent:user"); err != nil || len(b) == 0 {
			t.Fatalf("raw key: %q %v", b, err)
		}
		if c, err := r.Check(ctx, "agent", "user"); err != nil || c == nil || c.Kind != "sms" {
			t.Fatalf("Check: %+v %v", c, err)
		}
		h.advance(short + 100*time.Millisecond)
		if c, err := r.Check(ctx, "agent", "user"); c != nil || err != nil {
			t.Fatalf("Check after its TTL: %+v %v", c, err)
		}
	})

	t.Run("CodeIsTakenOnce", func(t *testing.T) {
		h := newStore(t)
		r := store.Callers(h.s)
		code := store.CallerCode{Agent: "agent", User: "user", AuthID: "auth-1", Kind: "email", Masked: "e•••@example.com", Sent: at}
		if err := r.PutCode(ctx, code); err != nil {
			t.Fatal(err)
		}
		if b, err := h.s.Get(ctx, "hd:pending:agent:user"); err != nil || len(b) == 0 {
			t.Fatalf("raw key: %q %v", b, err)
		}
		if got, err := r.Code(ctx, "agent", "user"); err != nil || got == nil || got.AuthID != "auth-1" || got.Masked != code.Masked {
			t.Fatalf("Code: %+v %v", got, err)
		}
		if took, err := r.TakeCode(ctx, "agent", "user"); !took || err != nil {
			t.Fatalf("first TakeCode: %v %v", took, err)
		}
		if took, err := r.TakeCode(ctx, "agent", "user"); took || err != nil {
			t.Fatalf("second TakeCode: %v %v, want false", took, err)
		}
		if got, err := r.Code(ctx, "agent", "user"); got != nil || err != nil {
			t.Fatalf("Code after TakeCode: %+v %v", got, err)
		}
		_ = r.PutCode(ctx, code)
		if err := r.DeleteCode(ctx, "agent", "user"); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Code(ctx, "agent", "user"); got != nil {
			t.Fatalf("Code after DeleteCode: %+v", got)
		}
	})

	t.Run("MethodsChanged", func(t *testing.T) {
		h := newStore(t)
		r := store.Callers(h.s)
		if got, err := r.MethodsChanged(ctx, "user"); !got.IsZero() || err != nil {
			t.Fatalf("none noted: %v %v", got, err)
		}
		if err := r.PutMethodsChanged(ctx, "user", at); err != nil {
			t.Fatal(err)
		}
		if _, err := h.s.Get(ctx, "hd:changed:user"); err != nil {
			t.Fatalf("raw key: %v", err)
		}
		if got, err := r.MethodsChanged(ctx, "user"); !got.Equal(at) || err != nil {
			t.Fatalf("MethodsChanged: %v %v", got, err)
		}
		// The store says how long the note is kept, not its callers.
		if ttl := h.ttl("hd:changed:user"); ttl <= store.MethodsChangedTTL-10*time.Second || ttl > store.MethodsChangedTTL {
			t.Errorf("TTL %v, want %v", ttl, store.MethodsChangedTTL)
		}
	})

	t.Run("ClosedIsUnavailable", func(t *testing.T) {
		h := newStore(t)
		r := store.Callers(h.s)
		_ = h.s.Close()
		_, errCheck := r.Check(ctx, "agent", "user")
		_, errCode := r.Code(ctx, "agent", "user")
		_, errTake := r.TakeCode(ctx, "agent", "user")
		_, errChanged := r.MethodsChanged(ctx, "user")
		for name, err := range map[string]error{
			"PutCheck": r.PutCheck(ctx, store.CallerCheck{Agent: "a", User: "u", At: at, Until: at.Add(long)}),
			"Check":    errCheck, "PutCode": r.PutCode(ctx, store.CallerCode{Agent: "a", User: "u"}), "Code": errCode,
			"TakeCode": errTake, "MethodsChanged": errChanged,
		} {
			if !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("%s: %v, want ErrUnavailable", name, err)
			}
		}
	})
}
