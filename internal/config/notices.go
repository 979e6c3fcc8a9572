package config

import (
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// Notices configures the emails that tell a person of a change to their phones or MFA: off
// (SMTPHost empty) without SMTP_URL.
type Notices struct {
	// SMTPHost and SMTPPort are the mail server; ImplicitTLS is smtps:// (TLS from the first
	// byte), otherwise STARTTLS, required unless the host is loopback (a local relay).
	SMTPHost     string
	SMTPPort     int
	ImplicitTLS  bool
	SMTPUser     string
	SMTPPassword string
	// From is the sender; Contact is whom to call if a change was not theirs ("" to say the
	// help desk only).
	From    string
	Contact string
}

// On reports whether notices are sent by SMTP.
func (n Notices) On() bool { return n.SMTPHost != "" }

// RequireTLS reports whether STARTTLS must succeed: always, except for a relay on loopback.
func (n Notices) RequireTLS() bool { return !n.ImplicitTLS && !isLoopback(n.SMTPHost) }

func init() {
	Variables = append(Variables,
		struct{ Name, Default, Meaning string }{"SMTP_URL", "(none: notices off)", "Mail server for the notices to people after a change to their phones or MFA: smtp://[user:password@]host:587 (STARTTLS, required except on loopback) or smtps://…:465 (TLS). Secret (or _FILE)."},
		struct{ Name, Default, Meaning string }{"NOTICE_FROM", "(required with SMTP_URL)", "Sender of the notices, e.g. \"IT help desk <helpdesk@example.com>\"."},
		struct{ Name, Default, Meaning string }{"NOTICE_CONTACT", "(none)", "Whom the notices tell people to call if a change was not theirs, e.g. \"+1 512 555 0100\"; without it they say \"the help desk\"."},
	)
}

// loadNotices reads SMTP_URL, NOTICE_FROM and NOTICE_CONTACT; the URL's password never
// appears in a problem.
func loadNotices(l *loader, c *Config) {
	n := &c.Notices
	n.Contact = l.str("NOTICE_CONTACT")
	if len(n.Contact) > 200 {
		l.bad("NOTICE_CONTACT", "is longer than 200 characters")
	}
	raw := l.secret("SMTP_URL")
	from := l.str("NOTICE_FROM")
	if raw == "" {
		if from != "" {
			l.bad("NOTICE_FROM", "is set but SMTP_URL is not: notices are off without a mail server")
		}
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		l.bad("SMTP_URL", "is not smtp://host:port or smtps://host:port")
		return
	}
	n.SMTPHost, n.ImplicitTLS = u.Hostname(), u.Scheme == "smtps"
	n.SMTPPort = 587
	if n.ImplicitTLS {
		n.SMTPPort = 465
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			l.bad("SMTP_URL", "port %q is not a port number", p)
		}
		n.SMTPPort = port
	}
	if u.User != nil {
		n.SMTPUser = u.User.Username()
		n.SMTPPassword, _ = u.User.Password()
	}
	if from == "" {
		l.bad("NOTICE_FROM", "is required with SMTP_URL")
	} else if a, err := mail.ParseAddress(from); err != nil || strings.ContainsAny(from, "\r\n") {
		l.bad("NOTICE_FROM", "%q is not an email address", from)
	} else {
		n.From = a.String()
	}
	if ip := net.ParseIP(n.SMTPHost); ip != nil && ip.IsUnspecified() {
		l.bad("SMTP_URL", "host %s is not an address to connect to", n.SMTPHost)
	}
}
