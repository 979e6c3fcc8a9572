package mfa

import (
	"testing"
	"time"
)

// TestNewestFirst: a history is shown newest first whatever order PingOne's pages came in
// (no document states theirs).
func TestNewestFirst(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   []Event
	}{
		{"oldest first", []Event{{At: t0, Kind: EventLocked}, {At: t0.Add(time.Hour), Kind: EventWrongCode}, {At: t0.Add(2 * time.Hour), Kind: EventSignInMFA}}},
		{"mixed", []Event{{At: t0.Add(time.Hour), Kind: EventWrongCode}, {At: t0.Add(2 * time.Hour), Kind: EventSignInMFA}, {At: t0, Kind: EventLocked}}},
		{"already newest first", []Event{{At: t0.Add(2 * time.Hour), Kind: EventSignInMFA}, {At: t0.Add(time.Hour), Kind: EventWrongCode}, {At: t0, Kind: EventLocked}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			newestFirst(tc.in)
			want := []EventKind{EventSignInMFA, EventWrongCode, EventLocked}
			for i, e := range tc.in {
				if e.Kind != want[i] {
					t.Fatalf("event %d is %s, want %s (order %v)", i, e.Kind, want[i], tc.in)
				}
			}
		})
	}
}
