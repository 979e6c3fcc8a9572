package session

import (
	"testing"
	"time"

	"github.com/gorilla/sessions"
)

func TestConfirmedIsTakenOnce(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, c := range []struct {
		name, set, take string
		after           time.Duration
		want            bool
	}{
		{"same action, soon", "remove:a", "remove:a", time.Minute, true},
		{"another device", "remove:a", "remove:b", time.Minute, false},
		{"too late", "remove:a", "remove:a", 16 * time.Minute, false},
		{"nothing confirmed", "", "remove:a", 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &Session{s: &sessions.Session{Values: map[any]any{}}}
			if c.set != "" {
				s.SetConfirmed(c.set, now)
			}
			if got := s.TakeConfirmed(c.take, now.Add(c.after), 15*time.Minute); got != c.want {
				t.Fatalf("TakeConfirmed = %v, want %v", got, c.want)
			}
			if s.TakeConfirmed(c.take, now.Add(c.after), 15*time.Minute) {
				t.Fatal("a confirmation was used twice")
			}
		})
	}
}
