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

// noticeSettings are the variables of the notices.
var noticeSettings = []Setting{
	{"SMTP_URL", "(none: notices off)", "Mail server for the notices to people after a change to their phones or MFA: smtp://[user:password@]host:587 (STARTTLS, required except on loopback) or smtps://…:465 (TLS). Secret (or _FILE).", smtpURL},
	{"NOTICE_FROM", "(required with SMTP_URL)", "Sender of the notices, e.g. \"IT help desk <helpdesk@example.com>\".", noticeFrom},
	{"NOTICE_CONTACT", "(none)", "Whom the notices tell people to call if a change was not theirs, e.g. \"+1 512 555 0100\"; without it they say \"the help desk\".", noticeContact},
}

// smtpURL reads the mail server; the URL's password never appears in a problem.
func smtpURL(l *loader, s Setting, c *Config) {
	n := &c.Notices
	raw := l.secret(s.Name)
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		l.bad(s.Name, "is not smtp://host:port or smtps://host:port")
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
			l.bad(s.Name, "port %q is not a port number", p)
		}
		n.SMTPPort = port
	}
	if u.User != nil {
		n.SMTPUser = u.User.Username()
		n.SMTPPassword, _ = u.User.Password()
	}
	if ip := net.ParseIP(n.SMTPHost); ip != nil && ip.IsUnspecified() {
		l.bad(s.Name, "host %s is not an address to connect to", n.SMTPHost)
	}
}

// noticeFrom reads the sender, required with a mail server and refused without one; after
// SMTP_URL, whose value it looks at again (the loader reads a secret once).
func noticeFrom(l *loader, s Setting, c *Config) {
	from := l.str(s.Name)
	switch {
	case l.secret("SMTP_URL") == "":
		if from != "" {
			l.bad(s.Name, "is set but SMTP_URL is not: notices are off without a mail server")
		}
	case !c.Notices.On():
		// SMTP_URL is not a mail server's URL, and says so.
	case from == "":
		l.bad(s.Name, "is required with SMTP_URL")
	default:
		if a, err := mail.ParseAddress(from); err != nil || strings.ContainsAny(from, "\r\n") {
			l.bad(s.Name, "%q is not an email address", from)
		} else {
			c.Notices.From = a.String()
		}
	}
}

// noticeContact reads whom to call, shown in every notice.
func noticeContact(l *loader, s Setting, c *Config) {
	c.Notices.Contact = l.str(s.Name)
	if len(c.Notices.Contact) > 200 {
		l.bad(s.Name, "is longer than 200 characters")
	}
}
