package form

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
)

// post is a form POST with the values, as a browser sends it.
func post(v url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// get is a GET with the values in its query string.
func get(v url.Values) *http.Request {
	return httptest.NewRequest(http.MethodGet, "/?"+v.Encode(), nil)
}

// reasonOf is the phone.Error reason of err, or "" when err is not one.
func reasonOf(err error) phone.Reason {
	var pe *phone.Error
	if errors.As(err, &pe) {
		return pe.Reason
	}
	return ""
}

func TestPhone(t *testing.T) {
	long := strings.Repeat("1", 100)
	for _, tc := range []struct {
		name         string
		in           url.Values
		region, num  string
		shown        string
		reason       phone.Reason
		problemIsNil bool
	}{
		{"national with a region", url.Values{"region": {"GB"}, "phone": {"07400 123456"}}, "GB", "07400 123456", "07400 123456", "", true},
		{"international without a region", url.Values{"phone": {"+44 7400 123456"}}, "", "+44 7400 123456", "+44 7400 123456", "", true},
		{"typed as is, blanks kept", url.Values{"region": {"US"}, "phone": {"  512 520 1234 "}}, "US", "  512 520 1234 ", "  512 520 1234 ", "", true},
		{"a region too long to be one", url.Values{"region": {"GBRX"}, "phone": {"07400 123456"}}, "", "07400 123456", "07400 123456", phone.ReasonNoCountry, false},
		{"a three-letter region is read", url.Values{"region": {"GBR"}, "phone": {"+44 7400 123456"}}, "GBR", "+44 7400 123456", "+44 7400 123456", "", true},
		{"empty", url.Values{"region": {"GB"}}, "GB", "", "", phone.ReasonEmpty, false},
		{"blanks only", url.Values{"region": {"GB"}, "phone": {"   "}}, "GB", "   ", "   ", phone.ReasonEmpty, false},
		{"letters", url.Values{"region": {"GB"}, "phone": {"call me"}}, "GB", "call me", "call me", phone.ReasonCharacters, false},
		{"no country", url.Values{"phone": {"07400 123456"}}, "", "07400 123456", "07400 123456", phone.ReasonNoCountry, false},
		{"too long, shown cut", url.Values{"region": {"GB"}, "phone": {long}}, "GB", long, long[:2*phone.MaxInputLength], phone.ReasonTooLong, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPhone(post(tc.in))
			if p.Region != tc.region || p.Number != tc.num || p.Shown() != tc.shown {
				t.Errorf("NewPhone = %+v, shown %q; want region %q, number %q, shown %q", p, p.Shown(), tc.region, tc.num, tc.shown)
			}
			err := p.Problem()
			if (err == nil) != tc.problemIsNil || reasonOf(err) != tc.reason {
				t.Errorf("Problem() = %v; want reason %q", err, tc.reason)
			}
		})
	}
}

func TestCode(t *testing.T) {
	for _, tc := range []struct {
		name, in, code string
		ok             bool
	}{
		{"six digits", "123456", "123456", true},
		{"grouped with a space", "123 456", "123 456", true},
		{"grouped with a hyphen, blanks around", "  123-456\t", "123-456", true},
		{"ten digits", "1234567890", "1234567890", true},
		{"a letter", "12a456", "12a456", false},
		{"too short", "12345", "12345", false},
		{"too many digits", "12345678901", "12345678901", false},
		{"empty", "", "", false},
		{"trailing blanks over MaxCode bytes are trimmed", "123456" + strings.Repeat(" ", MaxCode), "123456", true},
		{"over MaxCode bytes inside", "123" + strings.Repeat(" ", MaxCode) + "456", "123" + strings.Repeat(" ", MaxCode) + "456", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewCode(post(url.Values{"code": {tc.in}}))
			if f.Code != tc.code {
				t.Errorf("NewCode(%q).Code = %q; want %q", tc.in, f.Code, tc.code)
			}
			if err := f.Problem(); (err == nil) != tc.ok || (err != nil && !errors.Is(err, mfa.ErrBadCode)) {
				t.Errorf("Problem() = %v; want ok %v (else mfa.ErrBadCode)", err, tc.ok)
			}
		})
	}
}

func TestRename(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	for _, tc := range []struct {
		name, in, nickname, shown string
		ok                        bool
	}{
		{"a name", "Work phone", "Work phone", "Work phone", true},
		{"trimmed", "  Work phone \n", "Work phone", "Work phone", true},
		{"empty", "", "", "", false},
		{"blanks only", " \t ", "", "", false},
		{"too long: shown cut, mfa refuses it", long, long, long[:4*mfa.MaxNickname], true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewRename(post(url.Values{"nickname": {tc.in}}))
			if f.Nickname != tc.nickname || f.Shown() != tc.shown {
				t.Errorf("NewRename(%q) = %q, shown %q; want %q, %q", tc.in, f.Nickname, f.Shown(), tc.nickname, tc.shown)
			}
			if err := f.Problem(); (err == nil) != tc.ok || (err != nil && !errors.Is(err, mfa.ErrNickname)) {
				t.Errorf("Problem() = %v; want ok %v (else mfa.ErrNickname)", err, tc.ok)
			}
		})
	}
}

func TestReason(t *testing.T) {
	for _, tc := range []struct {
		name, in, text    string
		required, problem bool
	}{
		{"a ticket", "INC0012345", "INC0012345", true, false},
		{"folded", "  lost   phone\n", "lost phone", true, false},
		{"a number masked", "caller 512 520 1234", "caller ••• ••• ••••", false, false},
		{"none, required", "", "", true, true},
		{"blanks only, required", "  \t", "", true, true},
		{"none, not required", "", "", false, false},
		{"cut to MaxReason", strings.Repeat("a ", 300), strings.TrimSpace(strings.Repeat("a ", 300))[:helpdesk.MaxReason], true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewReason(post(url.Values{"reason": {tc.in}}))
			if f.Text != tc.text {
				t.Errorf("NewReason(%q).Text = %q; want %q", tc.in, f.Text, tc.text)
			}
			if err := f.Problem(tc.required); (err != nil) != tc.problem || (err != nil && !errors.Is(err, ErrNoReason)) {
				t.Errorf("Problem(%v) = %v; want problem %v (ErrNoReason)", tc.required, err, tc.problem)
			}
		})
	}
}

func TestTemporaryAccess(t *testing.T) {
	for _, tc := range []struct {
		name, duration, reason string
		d                      time.Duration
		text                   string
		problem                bool
	}{
		{"an hour", "1h0m0s", "INC1", time.Hour, "1h0m0s", false},
		{"a day", "24h", "INC1", 24 * time.Hour, "24h", false},
		{"not a duration: 0, kept for the record", "forever", "INC1", 0, "forever", false},
		{"no duration", "", "INC1", 0, "", false},
		{"a long value cut for the record", strings.Repeat("9", 100), "INC1", 0, strings.Repeat("9", MaxDuration), false},
		{"no reason", "1h", "", time.Hour, "1h", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewTemporaryAccess(post(url.Values{"duration": {tc.duration}, "reason": {tc.reason}}))
			if f.Duration != tc.d || f.DurationText != tc.text || f.Reason.Text != tc.reason {
				t.Errorf("NewTemporaryAccess = %+v; want %v, %q, reason %q", f, tc.d, tc.text, tc.reason)
			}
			if err := f.Problem(); (err != nil) != tc.problem || (err != nil && !errors.Is(err, ErrNoReason)) {
				t.Errorf("Problem() = %v; want problem %v (ErrNoReason)", err, tc.problem)
			}
		})
	}
}

func TestMFASwitch(t *testing.T) {
	for _, tc := range []struct {
		name           string
		r              *http.Request
		on             bool
		reason         string
		requiredForAll bool
		required       bool
		problem        bool
	}{
		{"on, no reason needed", post(url.Values{"enabled": {"true"}}), true, "", false, false, false},
		{"on, every change needs one", post(url.Values{"enabled": {"true"}}), true, "", true, true, true},
		{"off always needs one", post(url.Values{"enabled": {"false"}}), false, "", false, true, true},
		{"off with one", post(url.Values{"enabled": {"false"}, "reason": {"INC7"}}), false, "INC7", false, true, false},
		{"anything but true is off", post(url.Values{"enabled": {"TRUE"}, "reason": {"INC7"}}), false, "INC7", false, true, false},
		{"the question's link", get(url.Values{"enabled": {"true"}}), true, "", false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewMFASwitch(tc.r)
			if f.On != tc.on || f.Reason.Text != tc.reason {
				t.Errorf("NewMFASwitch = %+v; want on %v, reason %q", f, tc.on, tc.reason)
			}
			rule := ReasonRule{ForAll: tc.requiredForAll}
			if got := f.ReasonRequired(rule); got != tc.required {
				t.Errorf("ReasonRequired(%+v) = %v; want %v", rule, got, tc.required)
			}
			if err := f.Problem(rule); (err != nil) != tc.problem {
				t.Errorf("Problem(%+v) = %v; want problem %v", rule, err, tc.problem)
			}
		})
	}
}

// TestReasonRule (review of issue 22, item 6): one answer to "is a reason required", for the
// pages that show the field and the checks that refuse a change without one: never for a
// person's own change, for every help-desk change when HELPDESK_REASON_REQUIRED is set, and
// always for turning MFA off.
func TestReasonRule(t *testing.T) {
	for _, tc := range []struct {
		forAll, self, mfaOff, want bool
	}{
		{false, true, false, false},
		{true, true, false, false},
		{true, true, true, false},
		{false, false, false, false},
		{true, false, false, true},
		{false, false, true, true},
		{true, false, true, true},
	} {
		r := ReasonRule{ForAll: tc.forAll}
		if got := r.Required(tc.self, tc.mfaOff); got != tc.want {
			t.Errorf("%+v.Required(self %v, MFA off %v) = %v; want %v", r, tc.self, tc.mfaOff, got, tc.want)
		}
		if err := (Reason{}).Problem(r.Required(tc.self, tc.mfaOff)); (err != nil) != tc.want || (err != nil && !errors.Is(err, ErrNoReason)) {
			t.Errorf("%+v: no reason given: %v; want refused %v", r, err, tc.want)
		}
	}
}

func TestSearch(t *testing.T) {
	long := strings.Repeat("x", helpdesk.MaxQuery+1)
	for _, tc := range []struct {
		name, q, shown string
		empty, tooLong bool
	}{
		{"a name", "ursula", "ursula", false, false},
		{"folded", "  Erin \t Example ", "Erin Example", false, false},
		{"nothing", "", "", true, false},
		{"blanks only", "   ", "", true, false},
		{"control characters are blanks", "\x00\x01", "", true, false},
		{"at the limit", long[1:], long[1:], false, false},
		{"over the limit: shown cut", long, long[1:], false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewSearch(get(url.Values{"q": {tc.q}}))
			if f.Query != tc.q || f.Shown() != tc.shown || f.Empty() != tc.empty {
				t.Errorf("NewSearch(%q) = %q, shown %q, empty %v; want shown %q, empty %v", tc.q, f.Query, f.Shown(), f.Empty(), tc.shown, tc.empty)
			}
			if err := f.Problem(); (err != nil) != tc.tooLong || (err != nil && !errors.Is(err, helpdesk.ErrQueryTooLong)) {
				t.Errorf("Problem() = %v; want too long %v", err, tc.tooLong)
			}
		})
	}
}

// TestSearchReadsTheQueryString: the search is a GET; a term in a form body is not the search.
func TestSearchReadsTheQueryString(t *testing.T) {
	r := post(url.Values{"q": {"ursula"}})
	if f := NewSearch(r); f.Query != "" {
		t.Errorf("NewSearch of a POST body = %q; want the query string's, empty", f.Query)
	}
}

func TestCSRFToken(t *testing.T) {
	if got := CSRFToken(post(url.Values{"csrf": {"tok-1"}, "phone": {"1"}})); got != "tok-1" {
		t.Errorf("CSRFToken = %q; want tok-1", got)
	}
	if got := CSRFToken(post(url.Values{"phone": {"1"}})); got != "" {
		t.Errorf("CSRFToken without one = %q; want empty", got)
	}
}
