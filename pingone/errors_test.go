package pingone

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func response(status int, body string, header http.Header) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader(body)),
		Request: &http.Request{Method: "POST", URL: &url.URL{Path: "/v1/environments/e/users/u/devices"}}}
}

func TestErrorHelpers(t *testing.T) {
	type helper struct {
		name string
		fn   func(error) bool
	}
	helpers := []helper{{"NotFound", IsNotFound}, {"WrongCode", IsWrongCode}, {"RateLimited", IsRateLimited},
		{"DeviceLimit", IsDeviceLimit}, {"Unauthorized", IsUnauthorized}, {"Forbidden", IsForbidden}}
	tests := []struct {
		name   string
		status int
		body   string
		want   string // the one helper that must say yes; "" for none
	}{
		{"not found", 404, `{"id":"1","code":"NOT_FOUND","message":"x"}`, "NotFound"},
		{"wrong otp by detail code", 400, `{"code":"INVALID_DATA","details":[{"code":"INVALID_OTP","target":"otp"}]}`, "WrongCode"},
		{"wrong otp by target only", 400, `{"code":"INVALID_DATA","details":[{"code":"INVALID_VALUE","target":"otp"}]}`, "WrongCode"},
		{"wrong otp moved to 403 still wrong otp", 403, `{"code":"INVALID_DATA","details":[{"code":"INVALID_OTP","target":"otp"}]}`, "WrongCode"},
		{"rate limited", 429, `{"code":"REQUEST_LIMITED","details":[{"code":"LIMIT_EXCEEDED","innerError":{"retryAfter":7}}]}`, "RateLimited"},
		{"device limit", 400, `{"code":"REQUEST_FAILED","details":[{"code":"LIMIT_EXCEEDED","message":"Maximum allowed devices has been reached","innerError":{"maximumAllowed":5}}]}`, "DeviceLimit"},
		{"rate limit without its detail", 429, `{"code":"REQUEST_LIMITED","message":"slow down"}`, "RateLimited"},
		{"LIMIT_EXCEEDED under a 429 is rate limiting", 429, `{"code":"REQUEST_FAILED","details":[{"code":"LIMIT_EXCEEDED"}]}`, "RateLimited"},
		{"REQUEST_LIMITED moved to another status", 400, `{"code":"REQUEST_LIMITED","details":[{"code":"LIMIT_EXCEEDED"}]}`, "RateLimited"},
		{"the old guess of the device limit is neither", 400, `{"code":"INVALID_DATA","details":[{"code":"SIZE_LIMIT_EXCEEDED","target":"devices"}]}`, ""},
		{"invalid token", 401, `{"code":"ACCESS_FAILED","details":[{"code":"INVALID_TOKEN"}]}`, "Unauthorized"},
		{"insufficient permissions", 403, `{"code":"ACCESS_FAILED","details":[{"code":"INSUFFICIENT_PERMISSIONS"}]}`, "Forbidden"},
		{"other invalid value is none of them", 400, `{"code":"INVALID_DATA","details":[{"code":"INVALID_VALUE","target":"phone"}]}`, ""},
		{"unparseable 404 still not found", 404, `<html>Not Found</html>`, "NotFound"},
		{"unparseable 502", 502, `<html>Bad gateway</html>`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckResponse(response(tc.status, tc.body, nil))
			if err == nil {
				t.Fatal("no error")
			}
			for _, h := range helpers {
				if got := h.fn(err); got != (h.name == tc.want) {
					t.Errorf("Is%s = %v", h.name, got)
				}
			}
		})
	}
}

func TestCheckResponse(t *testing.T) {
	if err := CheckResponse(response(204, "", nil)); err != nil {
		t.Fatal(err)
	}
	err := CheckResponse(response(429, `{"code":"REQUEST_LIMITED","details":[{"code":"LIMIT_EXCEEDED","innerError":{"retryAfter":7}}]}`, nil)).(*Error)
	if err.RetryAfter != 7*time.Second {
		t.Errorf("retryAfter from innerError: %v", err.RetryAfter)
	}
	err = CheckResponse(response(503, "", http.Header{"Retry-After": {"3"}})).(*Error)
	if err.RetryAfter != 3*time.Second || err.Message != "Service Unavailable" {
		t.Errorf("Retry-After header: %v %q", err.RetryAfter, err.Message)
	}
	huge := strings.Repeat("x", 10<<20)
	err = CheckResponse(response(500, huge, nil)).(*Error)
	if len(err.Error()) > 400 {
		t.Errorf("an unparseable body made a %d-byte error", len(err.Error()))
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"5", 5 * time.Second}, {"-1", 0}, {"soon", 0},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-10 * time.Second).Format(http.TimeFormat), 0},
		// innerError.retryAfter is an ISO 8601 date-time.
		{"2026-01-01T00:00:42.000Z", 42 * time.Second},
		{"2026-01-01T01:00:07+01:00", 7 * time.Second},
		{"2025-12-31T23:59:00Z", 0},
	}
	for _, tc := range tests {
		if got := ParseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"1-234-567-8900": "+12345678900", "+1.5125201234": "+15125201234", "+1 (512) 520-1234": "+15125201234",
		"+1.512.520.1234": "+15125201234", "": "", "n/a": "",
	} {
		if got := NormalizePhone(in); got != want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFilterBuilder(t *testing.T) {
	tests := []struct {
		f    Filter
		want string
	}{
		{Eq("username", "ada"), `username eq "ada"`},
		{Sw("email", `a"b\c`), `email sw "a\"b\\c"`},
		{Or(Sw("username", "x"), Eq("email", "y")), `(username sw "x") or (email eq "y")`},
		{And(Or(Sw("name.given", "a"), Sw("name.family", "b")), Eq("id", "1")), `((name.given sw "a") or (name.family sw "b")) and (id eq "1")`},
		{Or(), ``},
		{Eq("username", "line\nbreak"), `username eq "linebreak"`},
	}
	for _, tc := range tests {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
	}
}

func FuzzDecodeErrorBody(f *testing.F) {
	f.Add(400, []byte(`{"id":"1","code":"INVALID_DATA","details":[{"code":"INVALID_OTP","target":"otp","innerError":{"retryAfter":3}}]}`))
	f.Add(502, []byte(`<html>bad gateway</html>`))
	f.Add(429, []byte(`{"details":[{"innerError":{"retryAfter":"Wed, 21 Oct 2015 07:28:00 GMT"}}]}`))
	f.Add(500, []byte{0xff, 0xfe, 0})
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			return
		}
		err := CheckResponse(response(status, string(body), nil))
		pe, ok := err.(*Error)
		if !ok || pe.StatusCode != status {
			t.Fatalf("CheckResponse gave %v", err)
		}
		_ = pe.Error()
		for _, h := range []func(error) bool{IsNotFound, IsWrongCode, IsRateLimited, IsDeviceLimit, IsUnauthorized, IsForbidden} {
			h(err)
		}
		if pe.RetryAfter < 0 {
			t.Fatalf("negative Retry-After %v", pe.RetryAfter)
		}
	})
}

func TestDefensiveDecoding(t *testing.T) {
	var u User
	if err := json.Unmarshal([]byte(`{"id":"u","memberOfGroupIDs":["g1",{"id":"g2"},7]}`), &u); err != nil {
		t.Fatal(err)
	}
	if !u.InGroup("g1") || !u.InGroup("g2") || len(u.MemberOfGroupIDs) != 2 {
		t.Fatalf("groups %v", u.MemberOfGroupIDs)
	}
	var d Device
	if err := json.Unmarshal([]byte(`{"id":"d","phone":"1-512-520-1234","lock":"LOCKED","createdAt":"2026-03-23T16:43:37.211Z"}`), &d); err != nil {
		t.Fatal(err)
	}
	if d.PhoneE164() != "+15125201234" || d.Locked() {
		t.Fatalf("device %+v", d)
	}
	if err := json.Unmarshal([]byte(`{"id":"d","lock":{"status":"LOCKED","expiresAt":"2999-01-01T00:00:00Z"}}`), &d); err != nil || !d.Locked() {
		t.Fatalf("lock: %v %+v", err, d)
	}
}

func TestRetryHints(t *testing.T) {
	soon := time.Now().Add(45 * time.Second).UTC().Format(time.RFC3339)
	tests := []struct {
		name     string
		status   int
		header   string
		body     string
		min, max time.Duration
	}{
		{"header only", 503, "3", `{"code":"UNEXPECTED_ERROR"}`, 3 * time.Second, 3 * time.Second},
		{"ISO 8601 innerError only", 429, "", `{"code":"REQUEST_LIMITED","details":[{"code":"LIMIT_EXCEEDED","innerError":{"retryAfter":"` + soon + `"}}]}`, 43 * time.Second, 45 * time.Second},
		{"both: the later wins", 429, "2", `{"code":"REQUEST_LIMITED","details":[{"code":"LIMIT_EXCEEDED","innerError":{"retryAfter":"` + soon + `"}}]}`, 43 * time.Second, 45 * time.Second},
		{"neither", 503, "", ``, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("Retry-After", tc.header)
			}
			err := CheckResponse(response(tc.status, tc.body, h))
			pe := err.(*Error)
			if pe.RetryAfter < tc.min || pe.RetryAfter > tc.max {
				t.Fatalf("RetryAfter = %v, want %v to %v", pe.RetryAfter, tc.min, tc.max)
			}
		})
	}
}

func TestMaximumAllowed(t *testing.T) {
	err := CheckResponse(response(400, `{"code":"REQUEST_FAILED","details":[{"code":"LIMIT_EXCEEDED","message":"Maximum allowed devices has been reached","innerError":{"maximumAllowed":7}}]}`, nil))
	if n, ok := MaximumAllowed(err); !ok || n != 7 {
		t.Fatalf("MaximumAllowed = %d %v", n, ok)
	}
	err = CheckResponse(response(429, `{"code":"REQUEST_LIMITED","details":[{"code":"LIMIT_EXCEEDED","innerError":{"maximumAllowed":7}}]}`, nil))
	if _, ok := MaximumAllowed(err); ok {
		t.Fatal("a rate limit read as a device limit")
	}
}

// TestInnerCounts: the whole numbers read from innerError keep their own rules, a device limit
// at least 1 on the LIMIT_EXCEEDED detail only, remaining attempts 0 or more under either name.
func TestInnerCounts(t *testing.T) {
	limit := func(detail string) error {
		return CheckResponse(response(400, `{"code":"REQUEST_FAILED","details":[`+detail+`]}`, nil))
	}
	wrong := func(inner string) error {
		return CheckResponse(response(400, `{"code":"INVALID_DATA","details":[{"code":"INVALID_OTP","target":"otp","innerError":`+inner+`}]}`, nil))
	}
	tests := []struct {
		name   string
		read   func(error) (int, bool)
		err    error
		want   int
		wantOK bool
	}{
		{"limit named", MaximumAllowed, limit(`{"code":"LIMIT_EXCEEDED","innerError":{"maximumAllowed":3}}`), 3, true},
		{"limit of 0 is no limit", MaximumAllowed, limit(`{"code":"LIMIT_EXCEEDED","innerError":{"maximumAllowed":0}}`), 0, false},
		{"limit not whole", MaximumAllowed, limit(`{"code":"LIMIT_EXCEEDED","innerError":{"maximumAllowed":2.5}}`), 0, false},
		{"limit on another detail", MaximumAllowed, limit(`{"code":"OTHER","innerError":{"maximumAllowed":3}},{"code":"LIMIT_EXCEEDED"}`), 0, false},
		{"limit on the second detail", MaximumAllowed, limit(`{"code":"OTHER","innerError":{"maximumAllowed":9}},{"code":"LIMIT_EXCEEDED","innerError":{"maximumAllowed":4}}`), 4, true},
		{"no attempts left", AttemptsRemaining, wrong(`{"remainingAttempts":0}`), 0, true},
		{"attempts, the other name", AttemptsRemaining, wrong(`{"attemptsRemaining":2}`), 2, true},
		{"attempts, first name first", AttemptsRemaining, wrong(`{"remainingAttempts":1,"attemptsRemaining":2}`), 1, true},
		{"attempts negative", AttemptsRemaining, wrong(`{"remainingAttempts":-1}`), 0, false},
		{"attempts as text", AttemptsRemaining, wrong(`{"remainingAttempts":"2"}`), 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if n, ok := tc.read(tc.err); n != tc.want || ok != tc.wantOK {
				t.Fatalf("got %d %v, want %d %v", n, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestDeviceLockAndBlockShapes(t *testing.T) {
	future := time.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)
	tests := []struct {
		name            string
		json            string
		locked, blocked bool
		until           time.Time
	}{
		{"PingOne's objects, unlocked", `{"status":"ACTIVE","lock":{"status":"UNLOCKED"},"block":{"status":"UNBLOCKED"}}`, false, false, time.Time{}},
		{"locked with an expiry", `{"status":"ACTIVE","lock":{"status":"LOCKED","expiresAt":"` + future.Format(time.RFC3339) + `"},"block":{"status":"UNBLOCKED"}}`, true, false, future},
		{"lock expired", `{"status":"ACTIVE","lock":{"status":"LOCKED","expiresAt":"2020-01-01T00:00:00Z"}}`, false, false, time.Time{}},
		{"blocked object", `{"status":"ACTIVE","block":{"status":"BLOCKED","blockedAt":"2026-03-23T16:43:37.211Z"}}`, false, true, time.Time{}},
		{"old boolean blocked", `{"status":"ACTIVE","blocked":true}`, false, true, time.Time{}},
		{"old boolean locked", `{"status":"ACTIVE","locked":true}`, true, false, time.Time{}},
		{"lock as a boolean", `{"status":"ACTIVE","lock":true,"block":false}`, true, false, time.Time{}},
		{"odd shapes read as neither", `{"status":"ACTIVE","lock":"LOCKED","block":7,"blocked":"yes"}`, false, false, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d Device
			if err := json.Unmarshal([]byte(tc.json), &d); err != nil {
				t.Fatal(err)
			}
			if d.Locked() != tc.locked || d.Blocked() != tc.blocked || !d.LockedUntil().Equal(tc.until) {
				t.Fatalf("locked %v blocked %v until %v", d.Locked(), d.Blocked(), d.LockedUntil())
			}
			if d.Usable() != (!tc.locked && !tc.blocked) {
				t.Fatalf("Usable = %v", d.Usable())
			}
		})
	}
}

// TestParseAuthStyle: the worker token method as the portal's variable and PingOne's console
// name it, one way.
func TestParseAuthStyle(t *testing.T) {
	for in, want := range map[string]string{"": "", "basic": "basic", " POST ": "post",
		"client_secret_basic": "basic", "Client_Secret_Post": "post"} {
		if got, err := ParseAuthStyle(in); err != nil || got != want {
			t.Errorf("ParseAuthStyle(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseAuthStyle("private_key_jwt"); err == nil {
		t.Error("private_key_jwt accepted")
	}
}
