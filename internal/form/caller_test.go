package form_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/helpdesk"
)

// posted is a request carrying the form fields, as a browser posts them.
func posted(t *testing.T, fields url.Values) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", "/helpdesk/users/u/verify", strings.NewReader(fields.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestCallerWay(t *testing.T) {
	for _, tc := range []struct {
		in       string
		want     string
		err      error
		approval bool
	}{
		{"sms", helpdesk.KindSMS, nil, false},
		{" email\n", helpdesk.KindEmail, nil, false},
		{"approval", helpdesk.KindApproval, nil, true},
		{"", "", helpdesk.ErrKind, false},
		{"SMS", "SMS", helpdesk.ErrKind, false},
		{"voice", "voice", helpdesk.ErrKind, false},
	} {
		f := form.NewCallerWay(posted(t, url.Values{"method": {tc.in}}))
		if f.Way != tc.want || !errors.Is(f.Problem(), tc.err) || f.Approval() != tc.approval {
			t.Errorf("%q: %+v, Problem %v, Approval %v; want %q, %v, %v", tc.in, f, f.Problem(), f.Approval(), tc.want, tc.err, tc.approval)
		}
	}
}

func TestCallerCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"123456", "123456", nil},
		{" 123 456 ", "123456", nil},
		{"123-456-7890", "1234567890", nil},
		{"12a3456", "", helpdesk.ErrBadCode},
		{"12345", "", helpdesk.ErrBadCode},
		{"12345678901", "", helpdesk.ErrBadCode},
		{"", "", helpdesk.ErrBadCode},
		// Grouping never needs this much: refused before any cleaning, whatever it holds.
		{"123456" + strings.Repeat(" ", 40), "123456", nil},
		{"1 2 3 4 5 6" + strings.Repeat("-", form.MaxCode), "", helpdesk.ErrBadCode},
	} {
		f := form.NewCallerCode(posted(t, url.Values{"code": {tc.in}}))
		err := f.Problem()
		if !errors.Is(err, tc.err) || (err == nil && strings.ReplaceAll(strings.ReplaceAll(f.Code, " ", ""), "-", "") != tc.want) {
			t.Errorf("%q: %q, %v; want %q, %v", tc.in, f.Code, err, tc.want, tc.err)
		}
	}
}
