package helpdesk

// The caller's code (issue #16): PingOne sends a one-time code to the user's default active
// phone or to their email in the directory, and the caller reads it back to the agent. The same
// code serves a person proving their own mailbox (FIRST_PHONE_PROOF=email).

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// WrongCodeError is a wrong code that may be tried again.
type WrongCodeError struct {
	// Left is how many more codes PingOne will check; Known is false when it did not say.
	Left  int
	Known bool
}

func (e *WrongCodeError) Error() string {
	if e.Known {
		return fmt.Sprintf("helpdesk: wrong code, %d tries left", e.Left)
	}
	return "helpdesk: wrong code"
}

// TooManyError refuses a code because too many were sent for the user recently: by this agent
// (LIMIT_HELPDESK_CALLER_CODES) or by anyone (LIMIT_HELPDESK_CALLER_CODES_USER).
type TooManyError struct{ RetryAfter time.Duration }

func (e *TooManyError) Error() string {
	return fmt.Sprintf("helpdesk: too many codes sent for this user; retry in %v", e.RetryAfter)
}

// AuthClient is the part of the PingOne client that sends and checks the caller's codes.
type AuthClient interface {
	StartDeviceAuthentication(ctx context.Context, userID string) (*pingone.DeviceAuthentication, error)
	StartEmailAuthentication(ctx context.Context, userID, email string) (*pingone.DeviceAuthentication, error)
	SelectDevice(ctx context.Context, authID, deviceID string) (*pingone.DeviceAuthentication, error)
	CheckOTP(ctx context.Context, authID, otp string) (*pingone.DeviceAuthentication, error)
}

// CallerCode is a code sent to the caller and not yet checked.
type CallerCode = store.CallerCode

// SendCode's refusals.
var (
	// ErrNoPhone means the user has no active phone a code could go to.
	ErrNoPhone = errors.New("helpdesk: the user has no active phone for a code")
	// ErrNoEmail means the directory holds no email address for the user.
	ErrNoEmail = errors.New("helpdesk: the user has no email address in the directory")
	// ErrKind is a way to check the caller that does not exist.
	ErrKind = errors.New("helpdesk: unknown way to check a caller")
)

// SendCode has PingOne send a code for the agent to check: to the user's default active phone
// (KindSMS) or to the user's email address in the directory (KindEmail), never to an address
// or number the caller gives. A code sent before for the same agent and user is forgotten.
func (cs *Callers) SendCode(ctx context.Context, agent string, t Target, kind string) (CallerCode, error) {
	switch kind {
	case KindSMS:
		if len(t.Phones) == 0 {
			return CallerCode{}, ErrNoPhone
		}
	case KindEmail:
		if t.Email == "" {
			return CallerCode{}, ErrNoEmail
		}
	default:
		return CallerCode{}, ErrKind
	}
	rs, err := cs.reserve(ctx, agent, t.ID, kind)
	if err != nil {
		return CallerCode{}, err
	}
	a, err := cs.start(ctx, t, kind)
	if err != nil {
		// PingOne answered with a refusal, so nothing was sent: the slots go back. A lost answer
		// may hide a sent code; its slots stay taken, erring towards refusing.
		if !pingone.IsUnreachable(err) && !errors.Is(err, context.DeadlineExceeded) {
			_ = rs.GiveBack(ctx)
		}
		return CallerCode{}, err
	}
	if a.UserID != "" && a.UserID != t.ID {
		return CallerCode{}, fmt.Errorf("helpdesk: PingOne answered with an authentication for another user")
	}
	p := CallerCode{Agent: agent, User: t.ID, AuthID: a.ID, Kind: kind, Signals: Strings(t.Signals), Sent: cs.o.Now()}
	if kind == KindEmail {
		p.Masked = phone.MaskEmail(t.Email)
	} else {
		// PingOne chose the phone itself (its default): one the caller's page did not offer (a
		// phone too new) never verifies; its code is not kept, so it cannot be checked.
		if !slices.Contains(t.Phones, a.SelectedDeviceID) {
			return CallerCode{}, ErrNoPhone
		}
		p.Masked = t.Masked[a.SelectedDeviceID]
	}
	if err := cs.checks.PutCode(ctx, p); err != nil {
		return CallerCode{}, err
	}
	return p, nil
}

// reserve takes the slots a code counts against: the agent's codes for the user and the
// user's ceiling (a *TooManyError when either is used up) and, for a text, the texts of
// whoever asks (a *limits.Error when their budget or the help desk's is used up).
func (cs *Callers) reserve(ctx context.Context, agent, user, kind string) (store.Reservations, error) {
	keys := cs.o.Limits.CallerCodeKeys(agent, user)
	if kind == KindSMS {
		keys = append(keys, cs.o.Limits.TextKeys(ctx, user)...)
	}
	rs, err := cs.o.Limits.Reserve(ctx, keys...)
	var le *limits.Error
	if errors.As(err, &le) && (le.Rule.Name == limits.NameCallerCodes || le.Rule.Name == limits.NameCallerCodesUser) {
		return nil, &TooManyError{RetryAfter: le.RetryAfter}
	}
	return rs, err
}

// start asks PingOne to send the code.
func (cs *Callers) start(ctx context.Context, t Target, kind string) (*pingone.DeviceAuthentication, error) {
	if kind == KindEmail {
		a, err := cs.client.StartEmailAuthentication(ctx, t.ID, t.Email)
		if err != nil {
			return nil, fmt.Errorf("helpdesk: email a code: %w", err)
		}
		return a, nil
	}
	a, err := cs.client.StartDeviceAuthentication(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("helpdesk: text a code: %w", err)
	}
	if a.Status == pingone.DeviceAuthSelectionRequired {
		// The policy asks which device: the user's default active phone.
		pick := ""
		for _, id := range t.Phones {
			if slices.ContainsFunc(a.Devices, func(d pingone.AuthDevice) bool { return d.ID == id }) {
				pick = id
				break
			}
		}
		if pick == "" {
			return nil, ErrNoPhone
		}
		if a, err = cs.client.SelectDevice(ctx, a.ID, pick); err != nil {
			return nil, fmt.Errorf("helpdesk: text a code: %w", err)
		}
	}
	return a, nil
}

// Code returns the code waiting for the agent and user, or nil.
func (cs *Callers) Code(ctx context.Context, agent, user string) (*CallerCode, error) {
	p, err := cs.checks.Code(ctx, agent, user)
	if p == nil || err != nil || p.Agent != agent || p.User != user {
		return nil, err
	}
	return p, nil
}

// CheckCode's refusals, besides *WrongCodeError.
var (
	// ErrNoCodeSent means no code is waiting to be checked (none was sent, or it was used).
	ErrNoCodeSent = errors.New("helpdesk: no code is waiting for this user")
	// ErrCodeOver means the code can no longer be checked (too many wrong codes, or expired):
	// a new one must be sent.
	ErrCodeOver = errors.New("helpdesk: the code can no longer be used")
	// ErrBadCode is a code that is not 6 to 10 digits.
	ErrBadCode = errors.New("helpdesk: a code is digits only")
)

// CheckCode checks the code the caller read back. A right code passes the caller check for
// the agent and that user; a wrong one is a *WrongCodeError, or ErrCodeOver when no try is left.
func (cs *Callers) CheckCode(ctx context.Context, agent, user, code string) (CallerCheck, error) {
	code, ok := mfa.CleanCode(code)
	if !ok {
		return CallerCheck{}, ErrBadCode
	}
	p, err := cs.Code(ctx, agent, user)
	if err != nil {
		return CallerCheck{}, err
	}
	if p == nil {
		return CallerCheck{}, ErrNoCodeSent
	}
	a, err := cs.client.CheckOTP(ctx, p.AuthID, code)
	switch {
	case pingone.IsAuthenticationFailed(err):
		_ = cs.checks.DeleteCode(ctx, agent, user)
		return CallerCheck{}, fmt.Errorf("%w: %w", ErrCodeOver, err)
	case pingone.IsWrongCode(err):
		left, known := pingone.AttemptsRemaining(err)
		if known && left == 0 {
			_ = cs.checks.DeleteCode(ctx, agent, user)
			return CallerCheck{}, fmt.Errorf("%w: %w", ErrCodeOver, err)
		}
		return CallerCheck{}, &WrongCodeError{Left: left, Known: known}
	case err != nil:
		return CallerCheck{}, fmt.Errorf("helpdesk: check a code: %w", err)
	case a.Status != pingone.DeviceAuthCompleted || (a.UserID != "" && a.UserID != user):
		return CallerCheck{}, fmt.Errorf("helpdesk: check a code: PingOne answered %s", a.Status)
	}
	// The code is used once: whoever takes the waiting code first passes the check.
	if took, err := cs.checks.TakeCode(ctx, agent, user); err != nil {
		return CallerCheck{}, fmt.Errorf("helpdesk: %w", err)
	} else if !took {
		return CallerCheck{}, ErrNoCodeSent
	}
	return cs.grant(ctx, CallerCheck{Agent: agent, User: user, Kind: p.Kind, Signals: p.Signals})
}

// mailboxAgent is who asks when a person proves their own mailbox (FIRST_PHONE_PROOF=email,
// issue #21): never a staff member's ID, so such a check passes no caller check.
func mailboxAgent(user string) string { return "mailbox:" + user }

// SendMailboxCode has PingOne email a one-time code to the person's own directory address,
// through the same one-time email device authentication as a caller's check, counted against
// the same per-user ceiling of codes.
func (cs *Callers) SendMailboxCode(ctx context.Context, user, email string) (CallerCode, error) {
	return cs.SendCode(ctx, mailboxAgent(user), Target{ID: user, Email: email}, KindEmail)
}

// MailboxPending returns the code emailed to the person and not yet checked, or nil.
func (cs *Callers) MailboxPending(ctx context.Context, user string) (*CallerCode, error) {
	return cs.Code(ctx, mailboxAgent(user), user)
}

// CheckMailboxCode checks the code the person typed; nil means they read their mailbox. Its
// refusals are CheckCode's.
func (cs *Callers) CheckMailboxCode(ctx context.Context, user, code string) error {
	if _, err := cs.CheckCode(ctx, mailboxAgent(user), user, code); err != nil {
		return err
	}
	// The person's session keeps the proof; nothing else may take it for a caller check.
	return cs.checks.DeleteCheck(ctx, mailboxAgent(user), user)
}
