package preflight

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/smsmfa/portal/internal/config"
)

// TestNoticesLine: `portal -check` says on a line of its own that notices are off without
// SMTP_URL, passes naming the server and the sender when it accepts the portal, and fails with
// the fix when the mail server does not answer.
func TestNoticesLine(t *testing.T) {
	off := (&Checker{Config: &config.Config{}}).notices(context.Background())
	var out bytes.Buffer
	Write(&out, []Result{off})
	if !off.OK || !strings.HasPrefix(out.String(), "ok    notices: off (SMTP_URL not set)") {
		t.Fatalf("without SMTP_URL: %q", out.String())
	}
	on := config.Notices{SMTPHost: "mail.example.com", SMTPPort: 587, From: "IT help desk <helpdesk@example.com>"}
	greeted := false
	up := (&Checker{Config: &config.Config{Notices: on}, Mail: greeter(func() { greeted = true })}).notices(context.Background())
	out.Reset()
	Write(&out, []Result{up})
	if !up.OK || !greeted || !strings.HasPrefix(out.String(), "ok    notices: sent through mail.example.com:587 from IT help desk <helpdesk@example.com>") {
		t.Fatalf("with a mail server that accepts the portal (greeted %v): %q", greeted, out.String())
	}
	down := (&Checker{Config: &config.Config{Notices: config.Notices{SMTPHost: "127.0.0.1", SMTPPort: 9, From: "a@example.com"}}}).notices(context.Background())
	out.Reset()
	Write(&out, []Result{down})
	if down.OK || !strings.HasPrefix(out.String(), "FAIL  notices: the mail server at 127.0.0.1:9 does not accept the portal") ||
		!strings.Contains(out.String(), "fix: check SMTP_URL") {
		t.Fatalf("with a mail server that does not answer: %q", out.String())
	}
}

// greeter is a mail server that accepts the portal, and tells when it is greeted.
type greeter func()

func (g greeter) Check(context.Context) error { g(); return nil }
