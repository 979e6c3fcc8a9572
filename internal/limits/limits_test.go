package limits

import (
	"context"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestMemoryRules(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		rule      Rule
		allowed   int
		afterWait time.Duration
	}{
		{NewDevice, 5, 12 * time.Minute},
		{ResendShort, 1, 30 * time.Second},
		{ResendHour, 5, 12 * time.Minute},
		{WrongCode, 5, 3 * time.Minute},
		{TextsToNumber, 3, 100 * time.Second},
		{SignIn, 30, 2 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.rule.Name, func(t *testing.T) {
			c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			m := NewMemory(c.now)
			for i := range tc.allowed {
				if ok, _, _ := m.Allow(ctx, tc.rule, "k"); !ok {
					t.Fatalf("event %d refused", i+1)
				}
			}
			ok, retry, _ := m.Allow(ctx, tc.rule, "k")
			if ok || retry <= 0 || retry > tc.afterWait+time.Second {
				t.Fatalf("over the limit: ok=%v retry=%v", ok, retry)
			}
			if w, _ := m.Wait(ctx, tc.rule, "k"); w != retry {
				t.Fatalf("Wait %v != Allow's %v", w, retry)
			}
			// Another key is independent.
			if ok, _, _ := m.Allow(ctx, tc.rule, "other"); !ok {
				t.Fatal("another key was refused")
			}
			c.t = c.t.Add(retry)
			if ok, _, _ := m.Allow(ctx, tc.rule, "k"); !ok {
				t.Fatalf("refused after waiting the %v it said", retry)
			}
		})
	}
}

func TestCheckReturnsTypedError(t *testing.T) {
	m := NewMemory(nil)
	ctx := context.Background()
	_ = Check(ctx, m, ResendShort, "k")
	err := Check(ctx, m, ResendShort, "k")
	le, ok := err.(*Error)
	if !ok || le.Rule.Name != "resend_short" || le.RetryAfter <= 0 {
		t.Fatalf("err = %v", err)
	}
}
