package pingone_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
)

func TestMFASettingsAreReadOnceAndShared(t *testing.T) {
	f := newFixtureWith(t, emulator.Options{DeviceLimit: 7, LockoutFailureCount: 4, LockDuration: 20 * time.Minute})
	var wg sync.WaitGroup
	results := make(chan *pingone.MFASettings, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := f.client.MFASettings(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			results <- s
		}()
	}
	wg.Wait()
	close(results)
	for s := range results {
		if s.MaxAllowedDevices != 7 || s.LockoutFailureCount != 4 || s.LockoutDuration != 20*time.Minute || s.PairingKeyFormat != "NUMERIC" {
			t.Fatalf("settings %+v", s)
		}
	}
	if _, err := f.client.MFASettings(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.emu.Calls("mfaSettings.get"); n != 1 {
		t.Fatalf("%d reads of mfaSettings for 51 calls, want 1", n)
	}
}

// TestMFASettingsFailureIsNotKept: a refused read is answered from memory for half a minute
// (a worker without the role must not cost a refused call on every page), then tried again.
func TestMFASettingsFailureIsNotKept(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	f := newFixture(t, func(c *pingone.Config) { c.MaxRetries, c.Now = -1, clock })
	f.emu.Inject(emulator.Fault{Route: "mfaSettings.get", Status: 403})
	for range 2 {
		if _, err := f.client.MFASettings(context.Background()); !pingone.IsForbidden(err) || !pingone.IsMisconfigured(err) {
			t.Fatalf("a worker without the role: %v", err)
		}
	}
	if n := f.emu.Calls("mfaSettings.get"); n != 1 {
		t.Fatalf("%d reads within half a minute of a refusal, want 1", n)
	}
	mu.Lock()
	now = now.Add(31 * time.Second)
	mu.Unlock()
	s, err := f.client.MFASettings(context.Background())
	if err != nil || s.MaxAllowedDevices != pingone.DefaultMaxAllowedDevices {
		t.Fatalf("after the fault: %v %+v", err, s)
	}
}

// TestMFASettingsCallerTimeoutIsNotKept: a read that failed because its own caller gave up
// is not PingOne's refusal, so the next caller, with time to wait, reads the settings itself.
func TestMFASettingsCallerTimeoutIsNotKept(t *testing.T) {
	f := newFixtureWith(t, emulator.Options{DeviceLimit: 7}, func(c *pingone.Config) { c.MaxRetries = -1 })
	f.emu.SetLatency(200 * time.Millisecond)
	hurried, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := f.client.MFASettings(hurried); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a caller with 50 ms against a 200 ms PingOne: %v, want its deadline", err)
	}
	s, err := f.client.MFASettings(context.Background())
	if err != nil || s.MaxAllowedDevices != 7 {
		t.Fatalf("the next caller, with time: %v %+v, want the settings", err, s)
	}
}

func TestGroup(t *testing.T) {
	f := newFixture(t)
	g, err := f.client.Group(context.Background(), f.group)
	if err != nil || g.ID != f.group || g.Name != "Help desk" {
		t.Fatalf("group: %v %+v", err, g)
	}
	if _, err := f.client.Group(context.Background(), "00000000-0000-4000-8000-000000000000"); !pingone.IsNotFound(err) {
		t.Fatalf("unknown group: %v", err)
	}
}

func TestTokenAuthStyles(t *testing.T) {
	tests := []struct {
		app, style string
		ok         bool
	}{
		{"client_secret_basic", "", true},
		{"client_secret_post", "", true},
		{"client_secret_basic", pingone.AuthStyleBasic, true},
		{"client_secret_post", pingone.AuthStylePost, true},
		{"client_secret_basic", pingone.AuthStylePost, false},
		{"client_secret_post", pingone.AuthStyleBasic, false},
	}
	for _, tc := range tests {
		t.Run(tc.app+"/"+tc.style, func(t *testing.T) {
			f := newFixture(t, func(c *pingone.Config) { c.ClientID, c.ClientSecret, c.AuthStyle = "w2", "s2", tc.style })
			f.emu.AddApp(emulator.App{ClientID: "w2", ClientSecret: "s2", Worker: true, Roles: true, TokenAuthMethod: tc.app})
			_, err := f.client.ListDevices(context.Background(), f.userID)
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			var te *pingone.TokenError
			if !tc.ok && (!pingone.IsTokenRefused(err) || !errors.As(err, &te) || te.Code != "invalid_client") {
				t.Fatalf("wrong method: %v", err)
			}
		})
	}
	if _, err := pingone.New(pingone.Config{EnvironmentID: "e", ClientID: "c", ClientSecret: "s", AuthStyle: "jwt"}); err == nil {
		t.Fatal("an unknown auth style was accepted")
	}
}

// TestSetupFaultsAreTellableFromOutages: the portal shows "not set up correctly" for a
// refused worker token or a missing role, and "PingOne is not answering" otherwise.
func TestSetupFaultsAreTellableFromOutages(t *testing.T) {
	tests := []struct {
		name                           string
		setup                          func(*fixture)
		cfg                            func(*pingone.Config)
		refused, misconfigured, outage bool
	}{
		{"rotated secret", nil, func(c *pingone.Config) { c.ClientSecret = "old-secret" }, true, true, false},
		{"no role", func(f *fixture) { f.emu.AddApp(emulator.App{ClientID: "norole", ClientSecret: "x", Worker: true}) },
			func(c *pingone.Config) { c.ClientID, c.ClientSecret = "norole", "x" }, false, true, false},
		{"token endpoint down", func(f *fixture) { f.emu.Inject(emulator.Fault{Route: "token", Status: 503}) }, nil, false, false, true},
		{"PingOne unreachable", func(f *fixture) { f.emu.Close() }, nil, false, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var opts []func(*pingone.Config)
			if tc.cfg != nil {
				opts = append(opts, tc.cfg)
			}
			f := newFixture(t, opts...)
			if tc.setup != nil {
				tc.setup(f)
			}
			_, err := f.client.ListDevices(context.Background(), f.userID)
			if err == nil {
				t.Fatal("no error")
			}
			outage := pingone.IsUnavailable(err) || pingone.IsUnreachable(err)
			if pingone.IsTokenRefused(err) != tc.refused || pingone.IsMisconfigured(err) != tc.misconfigured || outage != tc.outage {
				t.Fatalf("%v: refused %v misconfigured %v outage %v", err, pingone.IsTokenRefused(err), pingone.IsMisconfigured(err), outage)
			}
			if strings.Contains(err.Error(), "old-secret") {
				t.Fatalf("the secret is in the error: %v", err)
			}
		})
	}
}

func TestDeviceLimitFromPingOne(t *testing.T) {
	f := newFixtureWith(t, emulator.Options{DeviceLimit: 2})
	ctx := context.Background()
	// A device awaiting its code does not count.
	if _, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201230", Status: pingone.StatusActivationRequired}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range []string{"+15125201231", "+15125201232"} {
		d, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: p})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	_, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201233"})
	if !pingone.IsDeviceLimit(err) || pingone.IsRateLimited(err) {
		t.Fatalf("over the limit: %v", err)
	}
	if n, ok := pingone.MaximumAllowed(err); !ok || n != 2 {
		t.Fatalf("MaximumAllowed = %d %v", n, ok)
	}
	// A blocked device still counts; a deleted one does not.
	if err := f.client.BlockDevice(ctx, f.userID, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201233"}); !pingone.IsDeviceLimit(err) {
		t.Fatalf("a blocked device stopped counting: %v", err)
	}
	if err := f.client.DeleteDevice(ctx, f.userID, ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201233"}); err != nil {
		t.Fatalf("after a delete: %v", err)
	}
}

func TestRateLimitSaysWhenToTryAgain(t *testing.T) {
	_, err := listWhileRateLimited(t)
	var pe *pingone.Error
	if !pingone.IsRateLimited(err) || pingone.IsDeviceLimit(err) || !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	if pe.RetryAfter < 29*time.Second || pe.RetryAfter > 31*time.Second {
		t.Fatalf("try again in %v, want about 30s", pe.RetryAfter)
	}
}

func TestLockAndBlockAsPingOneWritesThem(t *testing.T) {
	for _, generic := range []bool{false, true} {
		name := "DEVICE_LOCKED"
		if generic {
			name = "generic wrong code"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixtureWith(t, emulator.Options{LockedAnswersWrongCode: generic})
			ctx := context.Background()
			d, err := f.client.CreateSMSDevice(ctx, f.userID, pingone.NewSMSDevice{Phone: "+15125201234", Status: pingone.StatusActivationRequired})
			if err != nil {
				t.Fatal(err)
			}
			if d.Locked() || d.Blocked() || d.Lock == nil || d.Block == nil {
				t.Fatalf("new device: lock %+v block %+v", d.Lock, d.Block)
			}
			code := f.emu.LastCode("+15125201234")
			for range 3 {
				if _, err := f.client.ActivateDevice(ctx, f.userID, d.ID, "000000"); !pingone.IsWrongCode(err) {
					t.Fatalf("wrong code: %v", err)
				}
			}
			_, err = f.client.ActivateDevice(ctx, f.userID, d.ID, code)
			if pingone.IsWrongCode(err) != generic {
				t.Fatalf("the right code on a locked device: %v", err)
			}
			// Whatever the answer said, reading the device tells the lock and its end.
			got, err := f.client.GetDevice(ctx, f.userID, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if until := got.LockedUntil(); !got.Locked() || until.Before(time.Now().Add(29*time.Minute)) || until.After(time.Now().Add(31*time.Minute)) {
				t.Fatalf("after 3 wrong codes: locked %v until %v", got.Locked(), until)
			}
		})
	}
	f := newFixture(t)
	ctx := context.Background()
	id := f.emu.AddSMSDevice(f.userID, "+15125201234", true)
	if err := f.client.BlockDevice(ctx, f.userID, id); err != nil {
		t.Fatal(err)
	}
	d, err := f.client.GetDevice(ctx, f.userID, id)
	if err != nil || !d.Blocked() || d.Usable() || d.Block.BlockedAt.IsZero() {
		t.Fatalf("blocked device: %v %+v", err, d)
	}
	if err := f.client.UnblockDevice(ctx, f.userID, id); err != nil {
		t.Fatal(err)
	}
	if d, err = f.client.GetDevice(ctx, f.userID, id); err != nil || d.Blocked() || !d.Usable() {
		t.Fatalf("unblocked device: %v %+v", err, d)
	}
}
