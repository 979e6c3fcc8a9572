package preflight

import (
	"context"
	"fmt"
	"time"

	"github.com/smsmfa/portal/internal/notice"
)

// MailServer is the notices' mail server, as far as -check greets it.
type MailServer interface {
	Check(ctx context.Context) error
}

// notices reports whether people are told of changes by email: off without SMTP_URL (on a
// line of its own, so that the choice is seen), else whether the mail server accepts the
// portal (STARTTLS or TLS, and the account).
func (c *Checker) notices(ctx context.Context) Result {
	n := c.Config.Notices
	if !n.On() {
		return Result{Name: "notices", OK: true, Detail: "off (SMTP_URL not set): people are not told of changes to their phones or MFA by email"}
	}
	mail := c.Mail
	if mail == nil {
		mail = notice.NewSMTP(n)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	where := fmt.Sprintf("%s:%d", n.SMTPHost, n.SMTPPort)
	if err := mail.Check(ctx); err != nil {
		return Result{Name: "notices", Detail: fmt.Sprintf("the mail server at %s does not accept the portal: %v", where, err),
			Fix: "check SMTP_URL (host, port, smtp:// for STARTTLS or smtps:// for TLS, the account) and that the server is reachable from here"}
	}
	return Result{Name: "notices", OK: true, Detail: fmt.Sprintf("sent through %s from %s", where, n.From)}
}
