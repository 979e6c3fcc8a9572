package pingone

import (
	"encoding/json"
	"testing"
	"time"
)

func TestLastSignIn(t *testing.T) {
	want := time.Date(2026, 12, 7, 18, 29, 0, 0, time.UTC)
	for _, c := range []struct {
		name, json string
		want       time.Time
	}{
		{"RFC 3339 with milliseconds", `{"id":"u","lastSignOn":{"at":"2026-12-07T18:29:00.000Z","remoteIp":"192.0.2.1"}}`, want},
		{"the OpenAPI example's layout", `{"id":"u","lastSignOn":{"at":"2026-12-07 18:29:00+00:00"}}`, want},
		{"never signed in", `{"id":"u"}`, time.Time{}},
		{"unreadable", `{"id":"u","lastSignOn":{"at":"yesterday"}}`, time.Time{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var u User
			if err := json.Unmarshal([]byte(c.json), &u); err != nil {
				t.Fatalf("the user does not decode: %v", err)
			}
			if got := u.LastSignIn(); !got.Equal(c.want) {
				t.Fatalf("LastSignIn() = %v, want %v", got, c.want)
			}
		})
	}
}
