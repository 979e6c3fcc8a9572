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
		{"", "", form.ErrCallerWay, false},
		{"SMS", "SMS", form.ErrCallerWay, false},
		{"voice", "voice", form.ErrCallerWay, false},
	} {
		f := form.NewCallerWay(posted(t, url.Values{"method": {tc.in}}))
		if f.Way != tc.want || !errors.Is(f.Validate(), tc.err) || f.Approval() != tc.approval {
			t.Errorf("%q: %+v, Validate %v, Approval %v; want %q, %v, %v", tc.in, f, f.Validate(), f.Approval(), tc.want, tc.err, tc.approval)
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
		{"12a3456", "", form.ErrCallerCode},
		{"12345", "", form.ErrCallerCode},
		{"12345678901", "", form.ErrCallerCode},
		{"", "", form.ErrCallerCode},
		// Grouping never needs this much: refused before any cleaning, whatever it holds.
		{"123456" + strings.Repeat(" ", 40), "123456", nil},
		{"1 2 3 4 5 6" + strings.Repeat("-", 30), "", form.ErrCallerCode},
	} {
		f := form.NewCallerCode(posted(t, url.Values{"code": {tc.in}}))
		err := f.Validate()
		if !errors.Is(err, tc.err) || (err == nil && f.Code != tc.want) {
			t.Errorf("%q: %q, %v; want %q, %v", tc.in, f.Code, err, tc.want, tc.err)
		}
	}
}

func TestApprovalAnswer(t *testing.T) {
	id := "0b5a4c2e-7c1d-4b8e-9f3a-2d6e8a1b9c70"
	if f := form.NewApprovalAnswer(" " + id + " "); f.ID != id || f.Validate() != nil {
		t.Errorf("a UUID: %+v %v", f, f.Validate())
	}
	for _, bad := range []string{"", "r1", id + "x", "../approvals"} {
		if err := form.NewApprovalAnswer(bad).Validate(); !errors.Is(err, form.ErrApprovalID) {
			t.Errorf("%q: %v, want ErrApprovalID", bad, err)
		}
	}
}
