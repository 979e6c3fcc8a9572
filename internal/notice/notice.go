// Package notice tells a person by email, in their language, of a change to their phones or
// MFA that PingOne does not announce itself (a phone added by the help desk, removed or
// replaced, temporary access set or ended, MFA turned off): what changed, when, by whom, and
// whom to call if it was not them. Delivery happens after the change, in the background, and
// is retried a few times; a mail server that fails never fails or undoes the change: the
// failure is logged and counted.
package notice

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smsmfa/portal/internal/logging"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/pingone"
)

// Kind is what changed.
type Kind string

// The changes a notice is sent for.
const (
	PhoneAdded       Kind = "added"
	PhoneRemoved     Kind = "removed"
	PhoneReplaced    Kind = "replaced"
	TemporarySet     Kind = "temporary_access"
	TemporaryEnded   Kind = "temporary_access_ended"
	MFATurnedOff     Kind = "mfa_off"
	defaultLanguage       = "en"
	defaultAttempts       = 4
	defaultFirstWait      = 2 * time.Second
	lookupTimeout         = 10 * time.Second
	sendTimeout           = 30 * time.Second
)

// Notice is one change to tell a person of.
type Notice struct {
	UserID string
	Kind   Kind
	// ByHelpdesk is set when the help desk made the change; Ticket is its ticket reference,
	// when the reason named one.
	ByHelpdesk bool
	Ticket     string
	// Phone is the phone the change is about (masked); Device the new one of a replacement.
	Phone, Device string
	// Until is the end of temporary access.
	Until time.Time
	At    time.Time
}

// Directory reads the person: their email address and language.
type Directory interface {
	GetUser(ctx context.Context, userID string, withGroups bool) (*pingone.User, error)
}

// Transport delivers one email.
type Transport interface {
	Send(ctx context.Context, to, subject, text string) error
}

// Options configures a Sender.
type Options struct {
	// Contact is whom to call if the change was not theirs (NOTICE_CONTACT), "" for the help
	// desk in general.
	Contact string
	Logger  *slog.Logger
	// Attempts bounds the deliveries tried (default 4); FirstWait is the pause after the first
	// failure, doubled after each (default 2 s).
	Attempts  int
	FirstWait time.Duration
	// DefaultLanguage is the language of people whose profile names none of the portal's.
	DefaultLanguage string
}

// Sender sends notices in the background. Its zero value is not usable; nil sends nothing.
type Sender struct {
	dir  Directory
	tr   Transport
	opts Options
	wg   sync.WaitGroup
	sent atomic.Int64
	lost atomic.Int64
	fail atomic.Int64
}

// New returns a Sender that reads people from dir and delivers through tr.
func New(dir Directory, tr Transport, o Options) *Sender {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Attempts <= 0 {
		o.Attempts = defaultAttempts
	}
	if o.FirstWait <= 0 {
		o.FirstWait = defaultFirstWait
	}
	if o.DefaultLanguage == "" {
		o.DefaultLanguage = defaultLanguage
	}
	return &Sender{dir: dir, tr: tr, opts: o}
}

// Notify sends the notice in the background, after the change it tells of; ctx gives the
// request ID for the log lines, not a deadline.
func (s *Sender) Notify(ctx context.Context, n Notice) {
	if s == nil {
		return
	}
	if n.At.IsZero() {
		n.At = time.Now()
	}
	ctx = logging.WithRequestID(context.Background(), logging.RequestID(ctx))
	s.wg.Go(func() { s.deliver(ctx, n) })
}

// Wait waits for the notices in flight (at shutdown, and in tests).
func (s *Sender) Wait() {
	if s != nil {
		s.wg.Wait()
	}
}

// Counts returns how many notices were delivered, how many failed attempts there were, and
// how many notices were given up on after every attempt.
func (s *Sender) Counts() (sent, failedAttempts, lost int64) {
	return s.sent.Load(), s.fail.Load(), s.lost.Load()
}

func (s *Sender) deliver(ctx context.Context, n Notice) {
	log := s.opts.Logger
	wait := s.opts.FirstWait
	var to, subject, text string
	var err error
	for attempt := 1; attempt <= s.opts.Attempts; attempt++ {
		err = nil
		if to == "" {
			to, subject, text, err = s.compose(ctx, n)
			if errors.Is(err, errNoAddress) {
				log.WarnContext(ctx, "notice not sent: the person has no email address", "user_id", n.UserID, "kind", string(n.Kind))
				return
			}
		}
		if err == nil {
			sctx, cancel := context.WithTimeout(ctx, sendTimeout)
			err = s.tr.Send(sctx, to, subject, text)
			cancel()
		}
		if err == nil {
			s.sent.Add(1)
			log.InfoContext(ctx, "notice sent", "user_id", n.UserID, "kind", string(n.Kind), "attempt", attempt)
			return
		}
		s.fail.Add(1)
		log.WarnContext(ctx, "notice not sent; will retry", "user_id", n.UserID, "kind", string(n.Kind), "attempt", attempt, "error", err.Error())
		if attempt < s.opts.Attempts {
			time.Sleep(wait)
			wait *= 2
		}
	}
	s.lost.Add(1)
	log.ErrorContext(ctx, "notice given up after every attempt", "user_id", n.UserID, "kind", string(n.Kind), "attempts", s.opts.Attempts, "error", err.Error())
}

var errNoAddress = errors.New("notice: no email address")

// compose reads the person and words the email in their language.
func (s *Sender) compose(ctx context.Context, n Notice) (to, subject, text string, err error) {
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	u, err := s.dir.GetUser(lctx, n.UserID, false)
	if err != nil {
		return "", "", "", err
	}
	if strings.TrimSpace(u.Email) == "" {
		return "", "", "", errNoAddress
	}
	lang := s.opts.DefaultLanguage
	for _, want := range []string{u.PreferredLanguage, u.Locale} {
		if tag, ok := messages.Match(want); ok && want != "" {
			lang = tag
			break
		}
	}
	subject, text = Compose(messages.NewPrinter(lang), n, s.opts.Contact)
	return u.Email, subject, text, nil
}

var whatKeys = map[Kind]messages.Key{
	PhoneAdded: messages.NoticeAdded, PhoneRemoved: messages.NoticeRemoved, PhoneReplaced: messages.NoticeReplaced,
	TemporarySet: messages.NoticeTemporarySet, TemporaryEnded: messages.NoticeTemporaryEnded, MFATurnedOff: messages.NoticeMFAOff,
}

// Compose words a notice with the printer: its subject and its text.
func Compose(p *messages.Printer, n Notice, contact string) (subject, text string) {
	data := messages.Data{"Phone": n.Phone, "Device": n.Device, "Ticket": n.Ticket}
	if !n.Until.IsZero() {
		data["Until"] = p.DateTime(n.Until)
	}
	lines := []string{p.T(whatKeys[n.Kind], data), p.T(messages.NoticeWhen, messages.Data{"Time": p.DateTime(n.At)})}
	switch {
	case !n.ByHelpdesk:
		lines = append(lines, p.T(messages.NoticeByYou, nil))
	case n.Ticket != "":
		lines = append(lines, p.T(messages.NoticeByHelpdeskTicket, data))
	default:
		lines = append(lines, p.T(messages.NoticeByHelpdesk, nil))
	}
	if contact != "" {
		lines = append(lines, "", p.T(messages.NoticeNotYouContact, messages.Data{"Contact": contact}))
	} else {
		lines = append(lines, "", p.T(messages.NoticeNotYou, nil))
	}
	return p.T(messages.NoticeSubject, nil), strings.Join(lines, "\n") + "\n"
}

// ticketRe finds a ticket reference in a help-desk reason ("INC-1234", "SR12345", "#4711").
var ticketRe = regexp.MustCompile(`\b[A-Z]{2,10}-?[0-9]{2,12}\b|#[0-9]{2,12}\b`)

// Ticket returns the ticket reference in a help-desk reason, or "": only that goes into an
// email, never the rest of the reason, which may say more about the person than they need.
func Ticket(reason string) string { return ticketRe.FindString(reason) }
