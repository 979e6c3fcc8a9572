package pingone_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
	"github.com/smsmfa/portal/pingone/pingonetest/spectest"
)

type fixture struct {
	emu    *emulator.Server
	client *pingone.Client
	spec   *spectest.Transport
	userID string
	group  string
}

// newFixture starts an emulator and a client for it whose every management call, request and
// answer, is validated against PingOne's published API descriptions.
func newFixture(t *testing.T, opts ...func(*pingone.Config)) *fixture {
	return newFixtureWith(t, emulator.Options{}, opts...)
}

func newFixtureWith(t *testing.T, eo emulator.Options, opts ...func(*pingone.Config)) *fixture {
	t.Helper()
	emu := pingonetest.Start(t, eo)
	emu.AddApp(emulator.App{ClientID: "worker", ClientSecret: "s3cret", Worker: true, Roles: true})
	g := emu.AddGroup("Help desk")
	uid := emu.AddUser(emulator.SeedUser{Username: "ada", Email: "ada@example.com", Given: "Ada", Family: "Lovelace", Password: "pw", GroupIDs: []string{g}})
	spec := spectest.New(t, emu.APIBase(), nil, true)
	cfg := pingone.Config{EnvironmentID: emu.EnvironmentID(), APIBase: emu.APIBase(), AuthBase: emu.AuthBase(),
		ClientID: "worker", ClientSecret: "s3cret", RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond,
		HTTPClient: &http.Client{Transport: spec, Timeout: 15 * time.Second}}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := pingone.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{emu: emu, client: c, spec: spec, userID: uid, group: g}
}

func TestDeviceCalls(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client

	d, err := c.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201234", Status: pingone.StatusActivationRequired, Nickname: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != pingone.StatusActivationRequired || d.PhoneE164() != "+15125201234" || d.Nickname != "Mine" {
		t.Fatalf("created %+v", d)
	}
	if err := c.ResendActivationCode(ctx, f.userID, d.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(f.emu.Outbox()); n != 2 {
		t.Fatalf("outbox has %d texts, want 2", n)
	}
	_, err = c.ActivateDevice(ctx, f.userID, d.ID, "000000")
	if !pingone.IsWrongCode(err) {
		t.Fatalf("wrong code: %v", err)
	}
	act, err := c.ActivateDevice(ctx, f.userID, d.ID, f.emu.LastCode("+15125201234"))
	if err != nil || act.Status != pingone.StatusActive {
		t.Fatalf("activate: %v %+v", err, act)
	}
	d2, err := c.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+447700900123"})
	if err != nil || d2.Status != pingone.StatusActive {
		t.Fatalf("create default status: %v %+v", err, d2)
	}
	if err := c.SetDeviceOrder(ctx, f.userID, []string{d2.ID, d.ID}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListDevices(ctx, f.userID)
	if err != nil || len(list) != 2 || list[0].ID != d2.ID {
		t.Fatalf("list after reorder: %v %+v", err, list)
	}
	if list[0].PhoneE164() != "+447700900123" || list[1].PhoneE164() != "+15125201234" {
		t.Fatalf("phones %q %q", list[0].Phone, list[1].Phone)
	}
	if r, err := c.RenameDevice(ctx, f.userID, d.ID, "Work phone"); err != nil || r.Nickname != "Work phone" {
		t.Fatalf("rename: %v %+v", err, r)
	}
	if err := c.UnlockDevice(ctx, f.userID, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteDevice(ctx, f.userID, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteDevice(ctx, f.userID, d.ID); err != nil {
		t.Fatalf("deleting a device already gone: %v", err)
	}
	if _, err := c.GetDevice(ctx, f.userID, d.ID); !pingone.IsNotFound(err) {
		t.Fatalf("read deleted: %v", err)
	}
	got, err := c.GetDevice(ctx, f.userID, d2.ID)
	if err != nil || got.ID != d2.ID {
		t.Fatalf("read: %v", err)
	}
}

func TestDeviceOfAnotherUserIsNotFound(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other := f.emu.AddUser(emulator.SeedUser{Username: "bob", Password: "pw"})
	d, err := f.client.CreateSMSDevice(ctx, other, pingone.NewSMSDevice{Phone: "+15125201234"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.GetDevice(ctx, f.userID, d.ID); !pingone.IsNotFound(err) {
		t.Fatalf("reading bob's device through ada's path: %v", err)
	}
}

func TestUserCalls(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u, err := f.client.GetUser(ctx, f.userID, true)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "ada" || u.DisplayName() != "Ada Lovelace" || !u.InGroup(f.group) || !u.IsEnabled() || u.MFAEnabled {
		t.Fatalf("user %+v", u)
	}
	if err := f.client.SetMFAEnabled(ctx, f.userID, true); err != nil || !f.emu.MFAEnabled(f.userID) {
		t.Fatalf("set mfaEnabled: %v", err)
	}
	for i := range 5 {
		f.emu.AddUser(emulator.SeedUser{Username: "adam" + string(rune('a'+i)), Email: "adam@example.com"})
	}
	page, err := f.client.SearchUsers(ctx, pingone.Or(pingone.Sw("username", "ada"), pingone.Eq("email", "nobody@example.com")), 4, "")
	if err != nil || len(page.Users) != 4 || page.Count != 6 || page.Next == "" {
		t.Fatalf("search page 1: %v %+v", err, page)
	}
	page2, err := f.client.SearchUsers(ctx, pingone.Sw("username", "ada"), 4, page.Next)
	if err != nil || len(page2.Users) != 2 || page2.Next != "" {
		t.Fatalf("search page 2: %v %+v", err, page2)
	}
	// A hostile value stays one quoted literal: it matches nothing and injects nothing.
	page, err = f.client.SearchUsers(ctx, pingone.Eq("username", `ada" or username sw "`), 10, "")
	if err != nil || len(page.Users) != 0 {
		t.Fatalf("injection attempt: %v %+v", err, page)
	}
	if _, err := f.client.GetUser(ctx, "00000000-0000-0000-0000-000000000000", false); !pingone.IsNotFound(err) {
		t.Fatalf("unknown user: %v", err)
	}
}

func TestOneTokenRequestForManyConcurrentCalls(t *testing.T) {
	f := newFixture(t)
	for _, err := range f.getUserAtOnce(context.Background(), 1000) {
		t.Fatal(err)
	}
	if n := f.emu.TokenRequests(); n != 1 {
		t.Fatalf("%d token requests for 1000 concurrent calls, want 1", n)
	}
}

// TestTokenIsRefreshedAheadOfExpiry: a token with less than a minute left is replaced before
// it is used, so a call never starts with a token about to lapse; a fresh one is reused.
func TestTokenIsRefreshedAheadOfExpiry(t *testing.T) {
	for _, tc := range []struct {
		lifetime time.Duration
		want     int
	}{{time.Hour, 1}, {50 * time.Second, 2}} {
		emu, err := emulator.New(emulator.Options{TokenLifetime: tc.lifetime})
		if err != nil {
			t.Fatal(err)
		}
		emu.AddApp(emulator.App{ClientID: "w", ClientSecret: "s", Worker: true, Roles: true})
		uid := emu.AddUser(emulator.SeedUser{Username: "u"})
		c, _ := pingone.New(pingone.Config{EnvironmentID: emu.EnvironmentID(), APIBase: emu.APIBase(), AuthBase: emu.AuthBase(), ClientID: "w", ClientSecret: "s"})
		for range 2 {
			if _, err := c.ListDevices(context.Background(), uid); err != nil {
				t.Fatal(err)
			}
		}
		if n := emu.TokenRequests(); n != tc.want {
			t.Errorf("token lifetime %v: %d token requests for 2 calls, want %d", tc.lifetime, n, tc.want)
		}
		emu.Close()
	}
}

func TestExpiredTokenIsRefreshedOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.client.ListDevices(ctx, f.userID); err != nil {
		t.Fatal(err)
	}
	f.emu.ExpireTokens()
	// Even a create (never retried otherwise) is sent again after a 401: it was not carried out.
	if _, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201234"}); err != nil {
		t.Fatal(err)
	}
	if n := f.emu.TokenRequests(); n != 2 {
		t.Fatalf("%d token requests, want 2", n)
	}
	if n := len(f.emu.Devices(f.userID)); n != 1 {
		t.Fatalf("%d devices, want 1", n)
	}
	// A token refused again after the refresh is an error, not a loop.
	f.emu.Inject(emulator.Fault{Route: "devices.list", Status: 401, Times: 2})
	if _, err := f.client.ListDevices(ctx, f.userID); !pingone.IsUnauthorized(err) {
		t.Fatalf("second 401: %v", err)
	}
	if n := f.emu.Calls("devices.list"); n != 3 {
		t.Fatalf("devices.list called %d times, want 3", n)
	}
}

func TestWrongWorkerSecret(t *testing.T) {
	f := newFixture(t, func(c *pingone.Config) { c.ClientSecret = "wrong" })
	err := f.client.CheckToken(context.Background())
	if err == nil {
		t.Fatal("a wrong secret gave a token")
	}
	if got := err.Error(); !contains(got, "invalid_client") || contains(got, "wrong") {
		t.Fatalf("error %q should name invalid_client and never the secret", got)
	}
}

func TestWorkerWithoutRoleIsForbidden(t *testing.T) {
	f := newFixture(t, func(c *pingone.Config) { c.ClientID, c.ClientSecret = "norole", "x" })
	f.emu.AddApp(emulator.App{ClientID: "norole", ClientSecret: "x", Worker: true})
	_, err := f.client.ListDevices(context.Background(), f.userID)
	if !pingone.IsForbidden(err) {
		t.Fatalf("worker without role: %v", err)
	}
}

func contains(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		fault     emulator.Fault
		call      func(*fixture) error
		route     string
		wantCalls int
		wantErr   func(error) bool
	}{
		{"GET retried on 503 until it succeeds", emulator.Fault{Route: "devices.list", Status: 503, Times: 2},
			func(f *fixture) error { _, err := f.client.ListDevices(context.Background(), f.userID); return err },
			"devices.list", 3, nil},
		{"GET retried on 429", emulator.Fault{Route: "users.get", Status: 429, RetryAfter: "0", Times: 1},
			func(f *fixture) error { _, err := f.client.GetUser(context.Background(), f.userID, false); return err },
			"users.get", 2, nil},
		{"GET retried on a dropped connection", emulator.Fault{Route: "devices.list", Drop: true, Times: 1},
			func(f *fixture) error { _, err := f.client.ListDevices(context.Background(), f.userID); return err },
			"devices.list", 2, nil},
		{"GET gives up after MaxRetries", emulator.Fault{Route: "devices.list", Status: 500, Times: -1},
			func(f *fixture) error { _, err := f.client.ListDevices(context.Background(), f.userID); return err },
			"devices.list", 4, pingone.IsUnavailable},
		{"PUT retried on 502", emulator.Fault{Route: "users.mfaEnabled", Status: 502, Times: 1},
			func(f *fixture) error { return f.client.SetMFAEnabled(context.Background(), f.userID, true) },
			"users.mfaEnabled", 2, nil},
		{"DELETE retried after a lost answer and counts as done", emulator.Fault{Route: "devices.delete", LoseAnswer: true, Times: 1},
			func(f *fixture) error {
				d, err := f.client.CreateSMSDevice(context.Background(), f.userID, pingone.NewSMSDevice{Phone: "+15125201234"})
				if err != nil {
					return err
				}
				return f.client.DeleteDevice(context.Background(), f.userID, d.ID)
			},
			"devices.delete", 2, nil},
		{"create never retried on 503", emulator.Fault{Route: "devices.create", Status: 503, Times: 1},
			func(f *fixture) error {
				_, err := f.client.CreateSMSDevice(context.Background(), f.userID, pingone.NewSMSDevice{Phone: "+15125201234"})
				return err
			},
			"devices.create", 1, pingone.IsUnavailable},
		{"activate never retried on a dropped connection", emulator.Fault{Route: "devices.activate", Drop: true, Times: 1},
			func(f *fixture) error {
				_, err := f.client.ActivateDevice(context.Background(), f.userID, "8c3e2b4e-0000-4000-8000-000000000000", "123456")
				return err
			},
			"devices.activate", 1, pingone.IsUnreachable},
		{"400 never retried", emulator.Fault{},
			func(f *fixture) error {
				_, err := f.client.CreateSMSDevice(context.Background(), f.userID, pingone.NewSMSDevice{Phone: "12"})
				return err
			},
			"devices.create", 1, pingone.IsInvalidValue},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if tc.fault != (emulator.Fault{}) {
				f.emu.Inject(tc.fault)
			}
			err := tc.call(f)
			if tc.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != nil && !tc.wantErr(err) {
				t.Fatalf("error %v is not the wanted kind", err)
			}
			if n := f.emu.Calls(tc.route); n != tc.wantCalls {
				t.Fatalf("%s called %d times, want %d", tc.route, n, tc.wantCalls)
			}
		})
	}
}

func TestLostCreateAnswerIsNotRepeated(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.emu.Inject(emulator.Fault{Route: "devices.create", LoseAnswer: true})
	_, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201234", Status: pingone.StatusActivationRequired})
	if !pingone.IsUnreachable(err) {
		t.Fatalf("lost answer: %v", err)
	}
	if n := f.emu.Calls("devices.create"); n != 1 {
		t.Fatalf("create sent %d times", n)
	}
	devs, err := f.client.ListDevices(ctx, f.userID)
	if err != nil || len(devs) != 1 || devs[0].PhoneE164() != "+15125201234" || devs[0].Status != pingone.StatusActivationRequired {
		t.Fatalf("the device made before the answer was lost: %v %+v", err, devs)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	f := newFixture(t, func(c *pingone.Config) { c.RetryWaitMax = 3 * time.Second })
	f.emu.Inject(emulator.Fault{Route: "devices.list", Status: 429, RetryAfter: "1"})
	start := time.Now()
	if _, err := f.client.ListDevices(context.Background(), f.userID); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Fatalf("retried after %v, before PingOne's Retry-After of 1s", waited)
	}
}

func TestLongRetryAfterIsNotWaitedFor(t *testing.T) {
	f, err := listWhileRateLimited(t)
	var pe *pingone.Error
	if !pingone.IsRateLimited(err) || !errors.As(err, &pe) || pe.RetryAfter != 30*time.Second {
		t.Fatalf("err = %v", err)
	}
	if n := f.emu.Calls("devices.list"); n != 1 {
		t.Fatalf("%d calls: waited past the cap instead of giving up", n)
	}
}

func TestNoRetryAfterContextEnds(t *testing.T) {
	f := newFixture(t, func(c *pingone.Config) { c.RetryWaitMin, c.RetryWaitMax = time.Second, 10*time.Second })
	f.emu.Inject(emulator.Fault{Route: "devices.list", Status: 503, RetryAfter: "5", Times: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := f.client.ListDevices(ctx, f.userID)
	if !pingone.IsUnavailable(err) {
		t.Fatalf("err = %v", err)
	}
	if n := f.emu.Calls("devices.list"); n != 1 {
		t.Fatalf("%d calls: a retry was sent although it could not finish before the deadline", n)
	}
}

func TestSlowPingOneTimesOut(t *testing.T) {
	f := newFixture(t, func(c *pingone.Config) {
		c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
		c.MaxRetries = -1
	})
	if err := f.client.CheckToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.emu.Inject(emulator.Fault{Route: "devices.list", Latency: time.Second})
	_, err := f.client.ListDevices(context.Background(), f.userID)
	if !pingone.IsUnreachable(err) {
		t.Fatalf("err = %v", err)
	}
	var ne *pingone.NetError
	if !errors.As(err, &ne) {
		t.Fatal("not a NetError")
	}
}
