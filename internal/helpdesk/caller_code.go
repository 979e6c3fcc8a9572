package helpdesk

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

// AuthClient is the part of the PingOne client that sends and checks verification codes.
type AuthClient interface {
	StartDeviceAuthentication(ctx context.Context, userID string) (*pingone.DeviceAuthentication, error)
	StartEmailAuthentication(ctx context.Context, userID, email string) (*pingone.DeviceAuthentication, error)
	SelectDevice(ctx context.Context, authID, deviceID string) (*pingone.DeviceAuthentication, error)
	CheckOTP(ctx context.Context, authID, otp string) (*pingone.DeviceAuthentication, error)
}

// Pending is a code sent to the caller and not yet checked.
type Pending struct {
	Agent  string `json:"agent"`
	User   string `json:"user"`
	AuthID string `json:"auth_id"`
	// Kind is KindSMS or KindEmail; Masked is where the code went, masked by PingOne.
	Kind    string    `json:"kind"`
	Masked  string    `json:"masked"`
	Signals []string  `json:"signals,omitempty"`
	Sent    time.Time `json:"sent"`
}

// Target is the user a caller claims to be, as the help desk reads them.
type Target struct {
	ID, Username, Email string
	// Phones are the IDs of the user's active SMS devices a code may go to, default first:
	// none added or changed within HELPDESK_NEW_PHONE_WAIT (the caller's page decides).
	Phones []string
	// Masked are those phones masked as every staff page shows them (phone.Shown), by ID.
	Masked map[string]string
	// Signals are the warnings shown beside the button, kept with what follows.
	Signals []string
}

// SendCode's refusals.
var (
	// ErrNoPhone means the user has no active phone a code could go to.
	ErrNoPhone = errors.New("helpdesk: the user has no active phone for a code")
	// ErrNoEmail means the directory holds no email address for the user.
	ErrNoEmail = errors.New("helpdesk: the user has no email address in the directory")
	// ErrKind is a verification kind that does not exist.
	ErrKind = errors.New("helpdesk: unknown verification kind")
)

// SendCode has PingOne send a code for the agent to check: to the user's default active phone
// (KindSMS) or to the user's email address in the directory (KindEmail), never to an address
// or number the caller gives. A code sent before for the same agent and user is forgotten.
func (v *Verifier) SendCode(ctx context.Context, agent string, t Target, kind string) (Pending, error) {
	switch kind {
	case KindSMS:
		if len(t.Phones) == 0 {
			return Pending{}, ErrNoPhone
		}
	case KindEmail:
		if t.Email == "" {
			return Pending{}, ErrNoEmail
		}
	default:
		return Pending{}, ErrKind
	}
	rs, err := v.reserve(ctx, agent, t.ID, kind)
	if err != nil {
		return Pending{}, err
	}
	a, err := v.start(ctx, t, kind)
	if err != nil {
		// PingOne answered with a refusal, so nothing was sent: the slots go back. A lost answer
		// may hide a sent code; its slots stay taken, erring towards refusing.
		if !pingone.IsUnreachable(err) && !errors.Is(err, context.DeadlineExceeded) {
			_ = rs.GiveBack(ctx)
		}
		return Pending{}, err
	}
	if a.UserID != "" && a.UserID != t.ID {
		return Pending{}, fmt.Errorf("helpdesk: PingOne answered with an authentication for another user")
	}
	p := Pending{Agent: agent, User: t.ID, AuthID: a.ID, Kind: kind, Signals: t.Signals, Sent: v.o.Now()}
	if kind == KindEmail {
		p.Masked = phone.MaskEmail(t.Email)
	} else {
		// PingOne chose the phone itself (its default): one the caller's page did not offer (a
		// phone too new) never verifies; its code is not kept, so it cannot be checked.
		if !slices.Contains(t.Phones, a.SelectedDeviceID) {
			return Pending{}, ErrNoPhone
		}
		p.Masked = t.Masked[a.SelectedDeviceID]
	}
	if err := v.put(ctx, pendingKey(agent, t.ID), p, pendingTTL); err != nil {
		return Pending{}, err
	}
	return p, nil
}

// reserve takes the slots a code counts against: the agent's codes for the user and the
// user's ceiling (a *TooManyError when either is used up) and, for a text, the texts of
// whoever asks (a *limits.Error when their budget or the help desk's is used up).
func (v *Verifier) reserve(ctx context.Context, agent, user, kind string) (store.Reservations, error) {
	keys := v.o.Limits.CallerCodeKeys(agent, user)
	if kind == KindSMS {
		keys = append(keys, v.o.Limits.TextKeys(ctx, user)...)
	}
	rs, err := v.o.Limits.Reserve(ctx, keys...)
	var le *limits.Error
	if errors.As(err, &le) && (le.Rule.Name == limits.NameCallerCodes || le.Rule.Name == limits.NameCallerCodesUser) {
		return nil, &TooManyError{RetryAfter: le.RetryAfter}
	}
	return rs, err
}

// start asks PingOne to send the code.
func (v *Verifier) start(ctx context.Context, t Target, kind string) (*pingone.DeviceAuthentication, error) {
	if kind == KindEmail {
		a, err := v.client.StartEmailAuthentication(ctx, t.ID, t.Email)
		if err != nil {
			return nil, fmt.Errorf("helpdesk: email a code: %w", err)
		}
		return a, nil
	}
	a, err := v.client.StartDeviceAuthentication(ctx, t.ID)
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
		if a, err = v.client.SelectDevice(ctx, a.ID, pick); err != nil {
			return nil, fmt.Errorf("helpdesk: text a code: %w", err)
		}
	}
	return a, nil
}

// Pending returns the code waiting for the agent and user, or nil.
func (v *Verifier) Pending(ctx context.Context, agent, user string) (*Pending, error) {
	var p Pending
	ok, err := v.get(ctx, pendingKey(agent, user), &p)
	if !ok || err != nil || p.Agent != agent || p.User != user {
		return nil, err
	}
	return &p, nil
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

// CheckCode checks the code the caller read back. A right code verifies the caller for the
// agent and that user; a wrong one is a *WrongCodeError, or ErrCodeOver when no try is left.
func (v *Verifier) CheckCode(ctx context.Context, agent, user, code string) (Verification, error) {
	code, ok := mfa.CleanCode(code)
	if !ok {
		return Verification{}, ErrBadCode
	}
	p, err := v.Pending(ctx, agent, user)
	if err != nil {
		return Verification{}, err
	}
	if p == nil {
		return Verification{}, ErrNoCodeSent
	}
	a, err := v.client.CheckOTP(ctx, p.AuthID, code)
	switch {
	case pingone.IsAuthenticationFailed(err):
		_ = v.store.Delete(ctx, pendingKey(agent, user))
		return Verification{}, fmt.Errorf("%w: %w", ErrCodeOver, err)
	case pingone.IsWrongCode(err):
		left, known := pingone.AttemptsRemaining(err)
		if known && left == 0 {
			_ = v.store.Delete(ctx, pendingKey(agent, user))
			return Verification{}, fmt.Errorf("%w: %w", ErrCodeOver, err)
		}
		return Verification{}, &WrongCodeError{Left: left, Known: known}
	case err != nil:
		return Verification{}, fmt.Errorf("helpdesk: check a code: %w", err)
	case a.Status != pingone.DeviceAuthCompleted || (a.UserID != "" && a.UserID != user):
		return Verification{}, fmt.Errorf("helpdesk: check a code: PingOne answered %s", a.Status)
	}
	// The code is used once: whoever takes the pending entry first verifies.
	if _, err := v.store.Take(ctx, pendingKey(agent, user)); errors.Is(err, store.ErrNotFound) {
		return Verification{}, ErrNoCodeSent
	} else if err != nil {
		return Verification{}, fmt.Errorf("helpdesk: %w", err)
	}
	return v.grant(ctx, Verification{Agent: agent, User: user, Kind: p.Kind, Signals: p.Signals})
}

// mailboxAgent is who asks when a person proves their own mailbox (FIRST_PHONE_PROOF=email,
// issue #21): never a staff member's ID, so such a check grants no help-desk verification.
func mailboxAgent(user string) string { return "mailbox:" + user }

// SendMailboxCode has PingOne email a one-time code to the person's own directory address,
// through the same one-time email device authentication as a caller's check, counted against
// the same per-user ceiling of codes.
func (v *Verifier) SendMailboxCode(ctx context.Context, user, email string) (Pending, error) {
	return v.SendCode(ctx, mailboxAgent(user), Target{ID: user, Email: email}, KindEmail)
}

// MailboxPending returns the code emailed to the person and not yet checked, or nil.
func (v *Verifier) MailboxPending(ctx context.Context, user string) (*Pending, error) {
	return v.Pending(ctx, mailboxAgent(user), user)
}

// CheckMailboxCode checks the code the person typed; nil means they read their mailbox. Its
// refusals are CheckCode's.
func (v *Verifier) CheckMailboxCode(ctx context.Context, user, code string) error {
	if _, err := v.CheckCode(ctx, mailboxAgent(user), user, code); err != nil {
		return err
	}
	// The person's session keeps the proof; nothing else may take it for a verification.
	return v.store.Delete(ctx, verifiedKey(mailboxAgent(user), user))
}
