// Package limits holds the portal's abuse limits (texts per person, per number, per acting
// staff member and for the whole help desk; new devices; sign-ins per network; the lockout
// after wrong codes) and applies them on the shared store (internal/store), so that one limit
// holds across every instance.
//
// A limit is a reservation taken before the PingOne call it guards: parallel requests cannot
// all pass the same free slot. The caller gives the slots back (Reservations.Cancel) when
// PingOne did not send. The wrong-code rule is a lockout: so many wrong codes, then none at all
// until the lock ends.
//
// When the store cannot be asked, every call returns an error wrapping store.ErrUnavailable and
// never lets the action through: no text is sent while its limits cannot be checked.
package limits

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/ctxkey"
	"github.com/smsmfa/portal/internal/store"
)

// Rule is "at most Limit events per Window" for one kind of event.
type Rule struct {
	Name   string
	Limit  int
	Window time.Duration
}

// String is the rule in the form the configuration takes, such as 300/1m.
func (r Rule) String() string { return strconv.Itoa(r.Limit) + "/" + FormatWindow(r.Window) }

// Lockout is "after Failures wrong guesses within Window, none for LockFor".
type Lockout struct {
	Name     string
	Failures int
	Window   time.Duration
	LockFor  time.Duration
}

// The rules' names: the store's counters are named by them (store.Counter) and the handlers word
// refusals by them.
const (
	NameNewDevice     = "new_device"
	NameResendShort   = "resend_short"
	NameResendHour    = "resend_hour"
	NameTextsToNumber = "texts_to_number"
	NameSignIn        = "sign_in"
	NameActorTexts    = "actor_texts"
	NameHelpdeskTexts = "helpdesk_texts"
	NameWrongCode     = "wrong_code"
	// NameHelpdeskSearch, NameCallerCodes and NameCallerCodesUser are the help desk's own
	// limits (issue #21): searches per agent, caller-verification codes per agent and user,
	// and per user whoever asks.
	NameHelpdeskSearch  = "helpdesk_search"
	NameCallerCodes     = "caller_codes"
	NameCallerCodesUser = "caller_codes_user"
)

// Rules are every limit in force.
type Rules struct {
	// NewDevice counts phones added per person (the target).
	NewDevice Rule
	// ResendShort is the cool-down between two codes to one device.
	ResendShort Rule
	// ResendHour counts codes resent per person (the target).
	ResendHour Rule
	// TextsToNumber counts texts to one number, whoever asks.
	TextsToNumber Rule
	// SignIn counts sign-ins started per client network (an IPv4 address, an IPv6 /64).
	SignIn Rule
	// ActorTexts counts texts sent by one acting person: a staff member acting for many users
	// is bounded however many numbers they type.
	ActorTexts Rule
	// HelpdeskTexts is the whole help desk's budget of texts sent for other people.
	HelpdeskTexts Rule
	// WrongCode locks a device's code entry after wrong codes.
	WrongCode Lockout
	// HelpdeskSearch counts the directory searches of one staff member: listing the
	// directory takes many searches.
	HelpdeskSearch Rule
	// CallerCodes counts the caller-verification codes one staff member has sent to one user;
	// CallerCodesUser is the ceiling for the user whoever asks, so that one agent cannot use up
	// a user's codes for everybody, nor several agents flood one user.
	CallerCodes     Rule
	CallerCodesUser Rule
}

// DefaultRules are the limits when the configuration sets none.
func DefaultRules() Rules {
	return Rules{
		NewDevice:     Rule{NameNewDevice, 5, time.Hour},
		ResendShort:   Rule{NameResendShort, 1, 30 * time.Second},
		ResendHour:    Rule{NameResendHour, 5, time.Hour},
		TextsToNumber: Rule{NameTextsToNumber, 3, 5 * time.Minute},
		// An office behind one address signs in together on onboarding day: 300 a minute is
		// far above that and still stops a flood (see the README on sizing it).
		SignIn:        Rule{NameSignIn, 300, time.Minute},
		ActorTexts:    Rule{NameActorTexts, 30, time.Hour},
		HelpdeskTexts: Rule{NameHelpdeskTexts, 200, time.Hour},
		WrongCode:     Lockout{NameWrongCode, 5, 15 * time.Minute, 15 * time.Minute},
		// A busy agent searches a few times per call; 60 an hour is far above that and far
		// below listing a directory.
		HelpdeskSearch:  Rule{NameHelpdeskSearch, 60, time.Hour},
		CallerCodes:     Rule{NameCallerCodes, 3, time.Hour},
		CallerCodesUser: Rule{NameCallerCodesUser, 5, time.Hour},
	}
}

// ParseRule reads "N/window" (300/1m, 5/1h, 1/30s) into a rule called name.
func ParseRule(name, s string) (Rule, error) {
	n, w, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rule{}, fmt.Errorf("%q is not N/window such as 300/1m", s)
	}
	limit, err := strconv.Atoi(strings.TrimSpace(n))
	if err != nil || limit <= 0 {
		return Rule{}, fmt.Errorf("%q: %q is not a positive whole number", s, n)
	}
	w = strings.TrimSpace(w)
	// "1h" and "h" both read as one hour.
	if w != "" && (w[0] < '0' || w[0] > '9') {
		w = "1" + w
	}
	window, err := time.ParseDuration(w)
	if err != nil || window < time.Second {
		return Rule{}, fmt.Errorf("%q: %q is not a window of a second or more such as 30s, 1m, 1h", s, w)
	}
	return Rule{Name: name, Limit: limit, Window: window}, nil
}

// FormatWindow writes a window as the configuration takes it: 1h, 15m, 30s.
func FormatWindow(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return d.String()
}

// Error is a refusal, with the time until the event would be allowed.
type Error struct {
	// Rule names the limit that refused (for a lockout, Rule.Name is the lockout's name).
	Rule       Rule
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("limits: %s: retry in %v", e.Rule.Name, e.RetryAfter)
}

// Key is one limit applied to one subject (a user ID, a number, a network).
type Key struct {
	Rule    Rule
	Subject string
}

// limit is the store's counter for the key, with its rule.
func (k Key) limit() store.CounterLimit {
	return store.CounterLimit{Counter: store.Counter{Name: k.Rule.Name, Subject: k.Subject}, Limit: k.Rule.Limit, Window: k.Rule.Window}
}

// limit is the store's counter of the lockout for subject (a device).
func (lk Lockout) limit(subject string) store.CounterLimit {
	return store.CounterLimit{Counter: store.Counter{Name: lk.Name, Subject: subject}, Limit: lk.Failures, Window: lk.Window}
}

// Limiter applies the rules on a store.
type Limiter struct {
	st    store.Counters
	rules Rules
}

// New returns a Limiter counting in st.
func New(st store.Store, rules Rules) *Limiter { return &Limiter{store.Counters{S: st}, rules} }

// NewMemory returns a Limiter on a store of its own in memory, with the default rules: for
// tests and tools that run one instance.
func NewMemory(now func() time.Time) *Limiter {
	return New(store.NewMemory(store.MemoryOptions{Now: now}), DefaultRules())
}

// Rules returns the rules in force.
func (l *Limiter) Rules() Rules { return l.rules }

// Reserve takes one slot of every key, or none: when one is full it returns an *Error for it
// and counts nothing. The caller cancels the Reservations when the guarded action did not
// happen.
func (l *Limiter) Reserve(ctx context.Context, keys ...Key) (store.Reservations, error) {
	ls := make([]store.CounterLimit, len(keys))
	for i, k := range keys {
		ls[i] = k.limit()
	}
	rs, err := l.st.Reserve(ctx, ls...)
	var full *store.CounterFull
	if errors.As(err, &full) {
		for _, k := range keys {
			if k.limit() == full.Limit {
				return nil, &Error{Rule: k.Rule, RetryAfter: ceilSecond(full.RetryAfter)}
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("limits: reserve: %w", err)
	}
	return rs, nil
}

// Wait says how long until key has a free slot (0: now), counting nothing.
func (l *Limiter) Wait(ctx context.Context, k Key) (time.Duration, error) {
	w, err := l.st.Wait(ctx, k.limit())
	if err != nil {
		return 0, fmt.Errorf("limits: wait %s: %w", k.Rule.Name, err)
	}
	return ceilSecond(w), nil
}

// Guess takes one guess of the wrong-code lockout for subject (a device), before the code is
// checked. A locked subject gets an *Error with the time left. The guess counts as wrong unless
// it is cancelled: cancel it when the code was right or was never checked.
func (l *Limiter) Guess(ctx context.Context, subject string) (store.Reservation, error) {
	lk := l.rules.WrongCode
	r, err := l.st.Attempt(ctx, lk.limit(subject), lk.LockFor)
	if err != nil {
		return store.Reservation{}, fmt.Errorf("limits: %s: %w", lk.Name, err)
	}
	if !r.OK {
		return store.Reservation{}, &Error{Rule: Rule{Name: lk.Name, Limit: lk.Failures, Window: lk.Window},
			RetryAfter: ceilSecond(r.RetryAfter)}
	}
	return r, nil
}

// Unlock forgets the wrong codes of subject (a help-desk unlock).
func (l *Limiter) Unlock(ctx context.Context, subject string) error {
	if err := l.st.Reset(ctx, l.rules.WrongCode.limit(subject).Counter); err != nil {
		return fmt.Errorf("limits: unlock: %w", err)
	}
	return nil
}

// SignIn counts one sign-in started from the client address ip, or returns an *Error. The
// count is per network: an IPv6 client's /64, an IPv4 address.
func (l *Limiter) SignIn(ctx context.Context, ip string) error {
	_, err := l.Reserve(ctx, Key{l.rules.SignIn, Network(ip)})
	return err
}

// Network is the part of a client address that one customer holds: the /64 of an IPv6
// address (any host can pick another address inside its /64 at will), the whole IPv4 address.
// Anything that is not an address is returned as it is.
func Network(ip string) string {
	a := net.ParseIP(strings.TrimSpace(ip))
	if a == nil {
		return ip
	}
	if v4 := a.To4(); v4 != nil {
		return v4.String()
	}
	return (&net.IPNet{IP: a.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// TextKeys are the limits that one text to a person applies to the one who asked for it, read
// from ctx (WithActor): the acting person's own count and, when they act for someone else
// (help-desk staff), the help desk's budget. Without an actor in ctx the target is taken to
// act for themselves. Help-desk pages that send texts add these keys to their own.
func (l *Limiter) TextKeys(ctx context.Context, target string) []Key {
	actor := actorKey.Value(ctx)
	if actor == "" {
		actor = target
	}
	keys := []Key{{l.rules.ActorTexts, actor}}
	if actor != target {
		keys = append(keys, Key{l.rules.HelpdeskTexts, "helpdesk"})
	}
	return keys
}

// CallerCodeKeys are the limits one caller-verification code counts against: the agent's
// codes for the user, and the user's ceiling whoever asks.
func (l *Limiter) CallerCodeKeys(agent, user string) []Key {
	return []Key{{l.rules.CallerCodes, agent + " " + user}, {l.rules.CallerCodesUser, user}}
}

// Search counts one directory search by the staff member agent, or returns an *Error.
func (l *Limiter) Search(ctx context.Context, agent string) error {
	_, err := l.Reserve(ctx, Key{l.rules.HelpdeskSearch, agent})
	return err
}

var actorKey = ctxkey.New[string]("actor")

// WithActor records in ctx who is acting (the signed-in person's ID), for TextKeys.
func WithActor(ctx context.Context, actorID string) context.Context {
	return actorKey.With(ctx, actorID)
}

// ceilSecond rounds a wait up to whole seconds: people and Retry-After see seconds, and a
// rounded-down wait would send them back a moment too early.
func ceilSecond(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return (d + time.Second - 1).Truncate(time.Second)
}
