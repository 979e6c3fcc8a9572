package pingone_test

import (
	"context"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
)

// TestUserActivities reads a user's audit activities from the emulator page by page, the
// request validated against PingOne's description of POST .../activities, and finds the
// portal's request ID on the events its calls caused, and none of another user's.
func TestUserActivities(t *testing.T) {
	f := newFixture(t)
	ctx := pingone.ContextWithTransactionID(context.Background(), "req-activities-1")
	d, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201234", Status: pingone.StatusActivationRequired})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.client.DeleteDevice(ctx, f.userID, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.SetBypassMFA(ctx, f.userID, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Another user's event, the newest of all, is not the user's: the filter names the user.
	other := f.emu.AddUser(emulator.SeedUser{Username: "bob", Password: "pw"})
	if _, err := f.client.SetBypassMFA(ctx, other, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	from, to := time.Now().Add(-14*24*time.Hour), time.Now().Add(time.Minute)
	p1, err := f.client.UserActivities(context.Background(), f.userID, from, to, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(p1.Activities) != 2 || p1.Next == "" || p1.Activities[0].Action.Type != emulator.ActivityBypass ||
		p1.Activities[1].Action.Type != emulator.ActivityDeviceGone {
		t.Fatalf("first page: %+v", p1)
	}
	p2, err := f.client.UserActivities(context.Background(), f.userID, from, to, 2, p1.Next)
	if err != nil || len(p2.Activities) != 1 || p2.Activities[0].Action.Type != emulator.ActivityDeviceAdded || p2.Next != "" {
		t.Fatalf("second page: %+v, %v", p2, err)
	}
	for _, a := range append(p1.Activities, p2.Activities...) {
		if a.CorrelationID != "req-activities-1" || a.RecordedAt.IsZero() || a.ID == "" {
			t.Errorf("activity %+v lacks the portal's request ID or its time", a)
		}
	}
	if f.spec.Seen()["POST /environments/{environmentID}/activities"] != 2 {
		t.Fatalf("calls seen: %v", f.spec.Seen())
	}
	f.emu.Inject(emulator.Fault{Route: "activities", Status: 429, RetryAfter: "30", Times: -1})
	if _, err := f.client.UserActivities(context.Background(), f.userID, from, to, 2, ""); !pingone.IsRateLimited(err) {
		t.Fatalf("rate limited: %v", err)
	}
}
