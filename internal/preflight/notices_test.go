package preflight

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/smsmfa/portal/internal/config"
)

// TestNoticesLine: `portal -check` says on a line of its own that notices are off without
// SMTP_URL, and fails with the fix when the mail server does not answer.
func TestNoticesLine(t *testing.T) {
	off := (&Checker{Config: &config.Config{}}).notices(context.Background())
	var out bytes.Buffer
	Write(&out, []Result{off})
	if !off.OK || !strings.HasPrefix(out.String(), "ok    notices: off (SMTP_URL not set)") {
		t.Fatalf("without SMTP_URL: %q", out.String())
	}
	down := (&Checker{Config: &config.Config{Notices: config.Notices{SMTPHost: "127.0.0.1", SMTPPort: 9, From: "a@example.com"}}}).notices(context.Background())
	out.Reset()
	Write(&out, []Result{down})
	if down.OK || !strings.HasPrefix(out.String(), "FAIL  notices: the mail server at 127.0.0.1:9 does not accept the portal") ||
		!strings.Contains(out.String(), "fix: check SMTP_URL") {
		t.Fatalf("with a mail server that does not answer: %q", out.String())
	}
}
