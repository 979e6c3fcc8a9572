package notice

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/smsmfa/portal/internal/config"
)

// SMTP delivers notices to a mail server with go-mail: STARTTLS (required unless the server
// is on loopback) or TLS from the first byte (smtps://), with the account when one is given.
type SMTP struct {
	cfg config.Notices
	// TLS, when set, replaces the default TLS settings (tests trust their own certificate).
	TLS *tls.Config
}

// NewSMTP returns the SMTP transport for cfg.
func NewSMTP(cfg config.Notices) *SMTP { return &SMTP{cfg: cfg} }

func (t *SMTP) client() (*mail.Client, error) {
	opts := []mail.Option{mail.WithPort(t.cfg.SMTPPort), mail.WithTimeout(15 * time.Second)}
	switch {
	case t.cfg.ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	case t.cfg.RequireTLS():
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if t.TLS != nil {
		opts = append(opts, mail.WithTLSConfig(t.TLS))
	}
	if t.cfg.SMTPUser != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(t.cfg.SMTPUser), mail.WithPassword(t.cfg.SMTPPassword))
	}
	return mail.NewClient(t.cfg.SMTPHost, opts...)
}

// Send delivers one plain-text email.
func (t *SMTP) Send(ctx context.Context, to, subject, text string) error {
	m := mail.NewMsg()
	if err := m.From(t.cfg.From); err != nil {
		return fmt.Errorf("notice: sender: %w", err)
	}
	if err := m.To(to); err != nil {
		return fmt.Errorf("notice: recipient: %w", err)
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	m.SetBodyString(mail.TypeTextPlain, text)
	c, err := t.client()
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, m)
}

// Check connects to the mail server, greets it (STARTTLS and the account included) and
// leaves: what `portal -check` reports.
func (t *SMTP) Check(ctx context.Context) error {
	c, err := t.client()
	if err != nil {
		return err
	}
	if err := c.DialWithContext(ctx); err != nil {
		return err
	}
	return c.Close()
}
