package pingone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// wireCall is one request to the auth host's deviceAuthentications and its answer, as sent.
type wireCall struct {
	method, path, contentType, auth string
	body                            map[string]any
	status                          int
	answer                          map[string]any
}

// recorder keeps the device authentication calls, which PingOne's published API descriptions
// do not hold (spectest passes them through), so that their shapes can be held to the
// reference pages here.
type recorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	calls []wireCall
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.Contains(req.URL.Path, "/deviceAuthentications") {
		return r.next.RoundTrip(req)
	}
	c := wireCall{method: req.Method, path: req.URL.Path, contentType: req.Header.Get("Content-Type"), auth: req.Header.Get("Authorization")}
	if req.Body != nil {
		data, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(data))
		_ = json.Unmarshal(data, &c.body)
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(data))
	c.status = resp.StatusCode
	_ = json.Unmarshal(data, &c.answer)
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) last(t *testing.T) wireCall {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.calls) == 0 {
		t.Fatal("no device authentication call was made")
	}
	return r.calls[len(r.calls)-1]
}

type authFixture struct {
	*fixture
	rec          *recorder
	phoneA       string
	phoneB       string
	devA, devB   string
	clock        *pingonetest.Clock
	observed     []string
	observedLock sync.Mutex
}

// newAuthFixture gives the fixture's user two active phones, A (the default) and B, and records
// the client's device authentication calls.
func newAuthFixture(t *testing.T, eo emulator.Options) *authFixture {
	t.Helper()
	clock := &pingonetest.Clock{Start: time.Now()}
	eo.Now = clock.Now
	af := &authFixture{phoneA: "+15125201234", phoneB: "+447700900123", clock: clock}
	af.fixture = newFixtureWith(t, eo, func(c *pingone.Config) {
		af.rec = &recorder{next: c.HTTPClient.Transport}
		c.HTTPClient = &http.Client{Transport: af.rec, Timeout: 15 * time.Second}
		c.Observe = func(route string, status int, d time.Duration) {
			af.observedLock.Lock()
			af.observed = append(af.observed, route)
			af.observedLock.Unlock()
		}
	})
	af.devA = af.emu.AddSMSDevice(af.userID, af.phoneA, true)
	af.devB = af.emu.AddSMSDevice(af.userID, af.phoneB, true)
	return af
}

// startAuth makes a fixture with eo and starts a device authentication for its user.
func startAuth(t *testing.T, eo emulator.Options) (*authFixture, context.Context, *pingone.DeviceAuthentication) {
	t.Helper()
	f := newAuthFixture(t, eo)
	ctx := context.Background()
	a, err := f.client.StartDeviceAuthentication(ctx, f.userID)
	if err != nil {
		t.Fatalf("starting a device authentication: %v", err)
	}
	return f, ctx, a
}

func mustNotContain(t *testing.T, what string, v any, secrets ...string) {
	t.Helper()
	data, _ := json.Marshal(v)
	for _, s := range secrets {
		if strings.Contains(string(data), s) {
			t.Errorf("%s holds %q: %s", what, s, data)
		}
	}
}

func TestDeviceAuthenticationSMS(t *testing.T) {
	f, ctx, a := startAuth(t, emulator.Options{})
	// PingOne's default policy (DEFAULT_TO_FIRST) texts the default device at once.
	if a.Status != pingone.DeviceAuthOTPRequired || a.SelectedDeviceID != f.devA || a.UserID != f.userID || a.ID == "" {
		t.Fatalf("started %+v", a)
	}
	if len(a.Devices) != 2 || a.Devices[0].ID != f.devA || a.Devices[1].ID != f.devB || a.Devices[0].Type != "SMS" {
		t.Fatalf("devices %+v", a.Devices)
	}
	if !strings.HasSuffix(a.Devices[0].Phone, "1234") {
		t.Errorf("masked phone %q does not end with the last four digits", a.Devices[0].Phone)
	}
	mustNotContain(t, "the answer", a.Devices, f.phoneA, f.phoneB)
	if a.ExpiresAt.IsZero() || a.CreatedAt.IsZero() {
		t.Errorf("times %+v", a)
	}
	codeA := f.emu.LastCode(f.phoneA)
	if codeA == "" {
		t.Fatal("no code texted to the default phone")
	}

	// The reference page's request and answer (Initialize Device Authentication).
	c := f.rec.last(t)
	if c.method != http.MethodPost || c.path != "/"+f.emu.EnvironmentID()+"/deviceAuthentications" ||
		c.contentType != "application/json" || !strings.HasPrefix(c.auth, "Bearer ") || c.status != http.StatusCreated {
		t.Fatalf("start call %+v", c)
	}
	if u, _ := c.body["user"].(map[string]any); u["id"] != f.userID || len(c.body) != 1 {
		t.Errorf("start body %v", c.body)
	}
	checkAuthAnswer(t, c.answer, f.emu.AuthBase()+"/"+f.emu.EnvironmentID()+"/deviceAuthentications/"+a.ID)

	// Select the other phone: the code goes there, and the first code is void.
	s, err := f.client.SelectDevice(ctx, a.ID, f.devB)
	if err != nil || s.Status != pingone.DeviceAuthOTPRequired || s.SelectedDeviceID != f.devB {
		t.Fatalf("select: %v %+v", err, s)
	}
	c = f.rec.last(t)
	if c.contentType != pingone.ContentTypeDeviceSelect || c.status != http.StatusOK {
		t.Fatalf("select call %+v", c)
	}
	if d, _ := c.body["device"].(map[string]any); d["id"] != f.devB {
		t.Errorf("select body %v", c.body)
	}
	codeB := f.emu.LastCode(f.phoneB)
	if codeB == "" {
		t.Fatal("no code texted to the selected phone")
	}
	if codeA != codeB {
		if _, err := f.client.CheckOTP(ctx, a.ID, codeA); !pingone.IsWrongCode(err) {
			t.Fatalf("the first phone's code after selecting another: %v", err)
		}
	}

	done, err := f.client.CheckOTP(ctx, a.ID, codeB)
	if err != nil || done.Status != pingone.DeviceAuthCompleted || !done.Done() {
		t.Fatalf("check: %v %+v", err, done)
	}
	c = f.rec.last(t)
	if c.contentType != pingone.ContentTypeOTPCheck || c.body["otp"] != codeB || c.answer["status"] != "COMPLETED" {
		t.Fatalf("check call %+v", c)
	}

	// A completed authentication cannot be used again.
	again, err := f.client.CheckOTP(ctx, a.ID, codeB)
	if !pingone.IsAuthenticationFailed(err) || pingone.IsWrongCode(err) {
		t.Fatalf("reuse: %v", err)
	}
	if again == nil || again.Status != pingone.DeviceAuthCompleted {
		t.Errorf("reuse read %+v", again)
	}
	if _, err := f.client.SelectDevice(ctx, a.ID, f.devA); !pingone.IsAuthenticationFailed(err) {
		t.Fatalf("select after completion: %v", err)
	}
	got, err := f.client.GetDeviceAuthentication(ctx, a.ID)
	if err != nil || got.Status != pingone.DeviceAuthCompleted {
		t.Fatalf("read: %v %+v", err, got)
	}

	f.observedLock.Lock()
	defer f.observedLock.Unlock()
	for _, route := range f.observed {
		if strings.Contains(route, a.ID) {
			t.Errorf("observed route %q holds the authentication's ID", route)
		}
	}
	if !slices.Contains(f.observed, "POST /deviceAuthentications/{id}") || !slices.Contains(f.observed, "POST /deviceAuthentications") {
		t.Errorf("observed %v", f.observed)
	}
}

// checkAuthAnswer holds an answer to the reference's example: _links self, device.select and
// otp.check on the resource's URL, _embedded.devices, id, environment, user, policy, status,
// selectedDevice, createdAt and updatedAt.
func checkAuthAnswer(t *testing.T, m map[string]any, self string) {
	t.Helper()
	links, _ := m["_links"].(map[string]any)
	for _, rel := range []string{"self", "device.select", "otp.check"} {
		l, _ := links[rel].(map[string]any)
		if l["href"] != self {
			t.Errorf("_links.%s = %v, want %s", rel, links[rel], self)
		}
	}
	emb, _ := m["_embedded"].(map[string]any)
	if _, ok := emb["devices"].([]any); !ok {
		t.Errorf("_embedded.devices missing: %v", m["_embedded"])
	}
	for _, k := range []string{"environment", "user", "policy"} {
		if o, _ := m[k].(map[string]any); o["id"] == nil || o["id"] == "" {
			t.Errorf("%s.id missing: %v", k, m[k])
		}
	}
	for _, k := range []string{"id", "status", "createdAt", "updatedAt"} {
		if s, _ := m[k].(string); s == "" {
			t.Errorf("%s missing", k)
		}
	}
	if _, ok := m["selectedDevice"].(map[string]any); !ok {
		t.Errorf("selectedDevice missing: %v", m)
	}
}

func TestDeviceAuthenticationSelection(t *testing.T) {
	tests := []struct {
		name      string
		selection string
		devices   int // active phones the user has: 1 or 2
		want      string
	}{
		{"prompt with two phones", emulator.SelectPromptToSelect, 2, pingone.DeviceAuthSelectionRequired},
		{"prompt with one phone", emulator.SelectPromptToSelect, 1, pingone.DeviceAuthOTPRequired},
		{"always display with one phone", emulator.SelectAlwaysDisplayDevices, 1, pingone.DeviceAuthSelectionRequired},
		{"default to first", emulator.SelectDefaultToFirst, 2, pingone.DeviceAuthOTPRequired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newAuthFixture(t, emulator.Options{DeviceSelection: tc.selection})
			ctx := context.Background()
			if tc.devices == 1 {
				if err := f.client.DeleteDevice(ctx, f.userID, f.devB); err != nil {
					t.Fatal(err)
				}
			}
			texts := len(f.emu.Outbox())
			a, err := f.client.StartDeviceAuthentication(ctx, f.userID)
			if err != nil || a.Status != tc.want || len(a.Devices) != tc.devices {
				t.Fatalf("start: %v %+v", err, a)
			}
			sent := len(f.emu.Outbox()) - texts
			if tc.want == pingone.DeviceAuthSelectionRequired {
				if sent != 0 || a.SelectedDeviceID != "" {
					t.Fatalf("%d texts sent, selected %q, before a device was selected", sent, a.SelectedDeviceID)
				}
				// A code cannot be checked before a device is selected, and the refusal does
				// not end the authentication.
				_, err := f.client.CheckOTP(ctx, a.ID, "123456")
				if err == nil || pingone.IsAuthenticationFailed(err) || pingone.IsWrongCode(err) {
					t.Fatalf("check before selection: %v", err)
				}
				if a, err = f.client.SelectDevice(ctx, a.ID, f.devA); err != nil || a.Status != pingone.DeviceAuthOTPRequired {
					t.Fatalf("select: %v %+v", err, a)
				}
			} else if sent != 1 {
				t.Fatalf("%d texts sent at start, want 1", sent)
			}
			done, err := f.client.CheckOTP(ctx, a.ID, f.emu.LastCode(f.phoneA))
			if err != nil || done.Status != pingone.DeviceAuthCompleted {
				t.Fatalf("check: %v %+v", err, done)
			}
		})
	}
}

func TestDeviceAuthenticationWrongCodes(t *testing.T) {
	f, ctx, a := startAuth(t, emulator.Options{})
	code := f.emu.LastCode(f.phoneA)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i, left := range []int{2, 1, 0} {
		got, err := f.client.CheckOTP(ctx, a.ID, wrong)
		if !pingone.IsWrongCode(err) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
		if n, ok := pingone.AttemptsRemaining(err); !ok || n != left {
			t.Errorf("wrong code %d: remaining %d %v, want %d", i+1, n, ok, left)
		}
		if failed := pingone.IsAuthenticationFailed(err); failed != (left == 0) {
			t.Errorf("wrong code %d: failed %v", i+1, failed)
		}
		wantStatus := pingone.DeviceAuthOTPRequired
		if left == 0 {
			wantStatus = pingone.DeviceAuthFailed
		}
		if got == nil || got.Status != wantStatus {
			t.Fatalf("wrong code %d: authentication %+v", i+1, got)
		}
		if strings.Contains(err.Error(), wrong) {
			t.Errorf("the error names the code: %v", err)
		}
	}
	// After the limit even the right code is refused: the authentication is over.
	if _, err := f.client.CheckOTP(ctx, a.ID, code); !pingone.IsAuthenticationFailed(err) || pingone.IsWrongCode(err) {
		t.Fatalf("right code after the limit: %v", err)
	}
	// Wrong answers are normal answers: each was sent once, none retried.
	if n := f.emu.Calls("deviceAuthentications.otp"); n != 4 {
		t.Errorf("%d code checks reached PingOne, want 4", n)
	}
}

func TestDeviceAuthenticationEmail(t *testing.T) {
	f := newAuthFixture(t, emulator.Options{})
	ctx := context.Background()
	const addr = "ada@example.com"
	a, err := f.client.StartEmailAuthentication(ctx, f.userID, addr)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != pingone.DeviceAuthOTPRequired || a.OneTimeEmail == "" || a.SelectedDeviceID != "" {
		t.Fatalf("started %+v", a)
	}
	mustNotContain(t, "the answer", a, addr)
	c := f.rec.last(t)
	sd, _ := c.body["selectedDevice"].(map[string]any)
	ot, _ := sd["oneTime"].(map[string]any)
	if ot["type"] != "EMAIL" || ot["email"] != addr || c.status != http.StatusCreated {
		t.Fatalf("start call %+v", c)
	}
	code := f.emu.LastEmailCode(addr)
	if code == "" {
		t.Fatal("no code emailed")
	}
	if len(f.emu.Outbox()) != 0 {
		t.Errorf("texts were sent for an email authentication: %+v", f.emu.Outbox())
	}
	if _, err := f.client.SelectDevice(ctx, a.ID, f.devA); err == nil {
		t.Fatal("a phone was selected for an email authentication")
	}
	done, err := f.client.CheckOTP(ctx, a.ID, code)
	if err != nil || done.Status != pingone.DeviceAuthCompleted {
		t.Fatalf("check: %v %+v", err, done)
	}

	for _, bad := range []string{"not-an-address", "Ada <ada@example.com>", ""} {
		if _, err := f.client.StartEmailAuthentication(ctx, f.userID, bad); !pingone.IsInvalidValue(err) && !isRequired(err) {
			t.Errorf("email %q: %v", bad, err)
		}
	}
}

// isRequired reports a 400 for a missing value (an empty address).
func isRequired(err error) bool {
	var pe *pingone.Error
	return errors.As(err, &pe) && pe.StatusCode == http.StatusBadRequest && pe.Code == "INVALID_DATA"
}

func TestDeviceAuthenticationRefusals(t *testing.T) {
	f := newAuthFixture(t, emulator.Options{DeviceSelection: emulator.SelectAlwaysDisplayDevices})
	ctx := context.Background()
	other := f.emu.AddUser(emulator.SeedUser{Username: "bob", Password: "pw"})
	otherDev := f.emu.AddSMSDevice(other, "+15125209999", true)

	a, err := f.client.StartDeviceAuthentication(ctx, f.userID)
	if err != nil || a.Status != pingone.DeviceAuthSelectionRequired {
		t.Fatalf("start: %v %+v", err, a)
	}
	// Another user's phone cannot receive this user's code.
	if _, err := f.client.SelectDevice(ctx, a.ID, otherDev); !pingone.IsInvalidValue(err) || pingone.IsAuthenticationFailed(err) {
		t.Fatalf("another user's device: %v", err)
	}
	if f.emu.LastCode("+15125209999") != "" {
		t.Fatal("a code went to another user's phone")
	}
	// A blocked or locked phone is neither offered nor selectable.
	if err := f.client.BlockDevice(ctx, f.userID, f.devB); err != nil {
		t.Fatal(err)
	}
	f.emu.LockDevice(f.userID, f.devA)
	if _, err := f.client.SelectDevice(ctx, a.ID, f.devB); err == nil || pingone.IsAuthenticationFailed(err) {
		t.Fatalf("blocked device: %v", err)
	}
	if _, err := f.client.SelectDevice(ctx, a.ID, f.devA); err == nil || pingone.IsAuthenticationFailed(err) {
		t.Fatalf("locked device: %v", err)
	}
	if len(f.emu.Outbox()) != 0 {
		t.Fatalf("codes were sent: %+v", f.emu.Outbox())
	}
	// With no usable phone left, no authentication can start.
	if _, err := f.client.StartDeviceAuthentication(ctx, f.userID); err == nil {
		t.Fatal("started without a usable device")
	}
	if err := f.client.UnblockDevice(ctx, f.userID, f.devB); err != nil {
		t.Fatal(err)
	}
	b, err := f.client.StartDeviceAuthentication(ctx, f.userID)
	if err != nil || len(b.Devices) != 1 || b.Devices[0].ID != f.devB {
		t.Fatalf("start with one usable phone: %v %+v", err, b)
	}
	// An unknown user, an unknown authentication.
	if _, err := f.client.StartDeviceAuthentication(ctx, "00000000-0000-0000-0000-000000000000"); err == nil {
		t.Fatal("started for an unknown user")
	}
	if _, err := f.client.CheckOTP(ctx, "00000000-0000-0000-0000-000000000000", "123456"); !pingone.IsAuthenticationFailed(err) {
		t.Fatalf("unknown authentication: %v", err)
	}
}

func TestDeviceAuthenticationExpires(t *testing.T) {
	f, ctx, a := startAuth(t, emulator.Options{OTPLifetime: 5 * time.Minute})
	if d := a.ExpiresAt.Sub(a.CreatedAt); d != 5*time.Minute {
		t.Errorf("expires %v after creation, want 5m", d)
	}
	f.clock.Advance(5*time.Minute + time.Second)
	if _, err := f.client.CheckOTP(ctx, a.ID, f.emu.LastCode(f.phoneA)); !pingone.IsAuthenticationFailed(err) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := f.client.GetDeviceAuthentication(ctx, a.ID); !pingone.IsNotFound(err) {
		t.Fatalf("read expired: %v", err)
	}
}

func TestDeviceAuthenticationNotRetried(t *testing.T) {
	tests := []struct {
		name  string
		route string
		call  func(f *authFixture, authID string) error
	}{
		{"start", "deviceAuthentications.create", func(f *authFixture, _ string) error {
			_, err := f.client.StartDeviceAuthentication(context.Background(), f.userID)
			return err
		}},
		{"select", "deviceAuthentications.select", func(f *authFixture, id string) error {
			_, err := f.client.SelectDevice(context.Background(), id, f.devB)
			return err
		}},
		{"check", "deviceAuthentications.otp", func(f *authFixture, id string) error {
			_, err := f.client.CheckOTP(context.Background(), id, f.emu.LastCode(f.phoneA))
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newAuthFixture(t, emulator.Options{})
			a, err := f.client.StartDeviceAuthentication(context.Background(), f.userID)
			if err != nil {
				t.Fatal(err)
			}
			before := f.emu.Calls(tc.route)
			f.emu.Inject(emulator.Fault{Route: tc.route, Status: http.StatusServiceUnavailable, RetryAfter: "0"})
			err = tc.call(f, a.ID)
			if !pingone.IsUnavailable(err) || pingone.IsAuthenticationFailed(err) {
				t.Fatalf("503: %v", err)
			}
			if n := f.emu.Calls(tc.route) - before; n != 1 {
				t.Fatalf("%d calls for one POST that met a 503, want 1 (POSTs are not retried)", n)
			}
			// GET is retried: the same fault on a read is absorbed.
			f.emu.Inject(emulator.Fault{Route: "deviceAuthentications.get", Status: http.StatusServiceUnavailable})
			if _, err := f.client.GetDeviceAuthentication(context.Background(), a.ID); err != nil {
				t.Fatalf("read after one 503: %v", err)
			}
		})
	}
}

func TestDeviceAuthenticationNeedsTheWorkerRole(t *testing.T) {
	f := newFixture(t)
	f.emu.AddApp(emulator.App{ClientID: "weak", ClientSecret: "weak-secret", Worker: true})
	c, err := pingone.New(pingone.Config{EnvironmentID: f.emu.EnvironmentID(), APIBase: f.emu.APIBase(), AuthBase: f.emu.AuthBase(),
		ClientID: "weak", ClientSecret: "weak-secret", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartDeviceAuthentication(context.Background(), f.userID); !pingone.IsForbidden(err) {
		t.Fatalf("worker without the role: %v", err)
	}
}
