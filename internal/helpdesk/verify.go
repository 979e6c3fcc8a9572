package helpdesk

// Caller verification (issue #16): before any change to a user, the agent proves that the
// caller is the user, by a code PingOne sends to one of the user's phones or to the user's
// email in the directory, or by a second staff member's approval. A verification holds for one
// agent and one user for a short time. Everything lives in a store.Store, so that every
// instance of the portal sees the same verifications and approvals.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// The ways a caller is verified, as audit records name them (verified_by).
const (
	KindSMS      = "sms"
	KindEmail    = "email"
	KindApproval = "approval"
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

// Verification is a verified caller: Agent may change User until Until.
type Verification struct {
	Agent string `json:"agent"`
	User  string `json:"user"`
	// Kind is KindSMS, KindEmail or KindApproval; Approver is set for KindApproval.
	Kind     string       `json:"kind"`
	Approver audit.Person `json:"approver"`
	// Signals are the warnings shown to the agent when they verified (Signal values).
	Signals []string  `json:"signals,omitempty"`
	At      time.Time `json:"at"`
	Until   time.Time `json:"until"`
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

// Approval is one agent's request that a colleague vouch for a caller.
type Approval struct {
	ID         string       `json:"id"`
	Requester  audit.Person `json:"requester"`
	Target     audit.Person `json:"target"`
	TargetName string       `json:"target_name"`
	Signals    []string     `json:"signals,omitempty"`
	Created    time.Time    `json:"created"`
	Expires    time.Time    `json:"expires"`
}

// ApprovalState is where an agent's request for one user stands.
type ApprovalState int

// The states of an agent's approval request.
const (
	// NoApproval: the agent asked for none (or it was approved: the verification says so).
	NoApproval ApprovalState = iota
	// ApprovalWaiting: asked, not yet approved, not timed out.
	ApprovalWaiting
	// ApprovalTimedOut: asked, and nobody approved in time.
	ApprovalTimedOut
)

// VerifierOptions configures a Verifier.
type VerifierOptions struct {
	// TTL is how long a verification holds (default 15 minutes).
	TTL time.Duration
	// ApprovalTTL is how long an approval request waits for a colleague (default 30 minutes).
	ApprovalTTL time.Duration
	// Limits counts every code against the agent's codes for the user and the user's ceiling
	// (limits.CallerCodeKeys), and a code sent by text against the texts of whoever asked for
	// it (limits.TextKeys: the staff member's own and the help desk's budget), as every text
	// is. Nil means the default rules on the Verifier's store.
	Limits *limits.Limiter
	Now    func() time.Time
}

// Verifier keeps caller verifications, codes waiting to be checked and approval requests.
type Verifier struct {
	client AuthClient
	store  store.Store
	o      VerifierOptions
}

// NewVerifier returns a Verifier keeping its state in st.
func NewVerifier(client AuthClient, st store.Store, o VerifierOptions) *Verifier {
	if o.TTL <= 0 {
		o.TTL = 15 * time.Minute
	}
	if o.ApprovalTTL <= 0 {
		o.ApprovalTTL = 30 * time.Minute
	}
	if o.Limits == nil {
		o.Limits = limits.New(st, limits.DefaultRules())
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Verifier{client: client, store: st, o: o}
}

// pendingTTL bounds how long a sent code is kept waiting (PingOne's own expiry is shorter).
const pendingTTL = 15 * time.Minute

func verifiedKey(agent, user string) string { return "hd:verified:" + agent + ":" + user }
func pendingKey(agent, user string) string  { return "hd:pending:" + agent + ":" + user }
func approvalKey(id string) string          { return "hd:approval:" + id }
func askedKey(agent, user string) string    { return "hd:asked:" + agent + ":" + user }

const (
	approvalIndexKey = "hd:approvals"
	approvalLockKey  = "hd:approvals:lock"
)

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

// grant records a verification.
func (v *Verifier) grant(ctx context.Context, ver Verification) (Verification, error) {
	ver.At = v.o.Now()
	ver.Until = ver.At.Add(v.o.TTL)
	return ver, v.put(ctx, verifiedKey(ver.Agent, ver.User), ver, v.o.TTL)
}

// Current returns the agent's verification of the user while it holds, or nil. A verification
// made by another agent, or for another user, is never returned.
func (v *Verifier) Current(ctx context.Context, agent, user string) (*Verification, error) {
	var ver Verification
	ok, err := v.get(ctx, verifiedKey(agent, user), &ver)
	if !ok || err != nil {
		return nil, err
	}
	if ver.Agent != agent || ver.User != user || !v.o.Now().Before(ver.Until) {
		return nil, nil
	}
	return &ver, nil
}

// RequestApproval asks the other staff to vouch for the caller. An open request of the same
// agent for the same user is returned as it is.
func (v *Verifier) RequestApproval(ctx context.Context, requester audit.Person, t Target, targetName string) (Approval, error) {
	if st, a, err := v.ApprovalState(ctx, requester.ID, t.ID); err != nil || st == ApprovalWaiting {
		return a, err
	}
	now := v.o.Now()
	a := Approval{ID: uuid.NewString(), Requester: requester, Target: audit.Person{ID: t.ID, Username: t.Username},
		TargetName: targetName, Signals: t.Signals, Created: now, Expires: now.Add(v.o.ApprovalTTL)}
	if err := v.put(ctx, approvalKey(a.ID), a, v.o.ApprovalTTL); err != nil {
		return Approval{}, err
	}
	// The pointer outlives the request, so that the agent can be told it timed out.
	if err := v.put(ctx, askedKey(requester.ID, t.ID), a, v.o.ApprovalTTL+v.o.TTL); err != nil {
		return Approval{}, err
	}
	return a, v.index(ctx, func(ids []string) []string { return append(ids, a.ID) })
}

// ApprovalState says where the agent's request for the user stands.
func (v *Verifier) ApprovalState(ctx context.Context, agent, user string) (ApprovalState, Approval, error) {
	var asked Approval
	ok, err := v.get(ctx, askedKey(agent, user), &asked)
	if !ok || err != nil {
		return NoApproval, Approval{}, err
	}
	var a Approval
	ok, err = v.get(ctx, approvalKey(asked.ID), &a)
	if err != nil {
		return NoApproval, Approval{}, err
	}
	if !ok || !v.o.Now().Before(a.Expires) {
		return ApprovalTimedOut, asked, nil
	}
	return ApprovalWaiting, a, nil
}

// Approvals lists the open requests viewer may approve: not their own, not about them, oldest
// first.
func (v *Verifier) Approvals(ctx context.Context, viewer string) ([]Approval, error) {
	var ids []string
	if _, err := v.get(ctx, approvalIndexKey, &ids); err != nil {
		return nil, err
	}
	var out []Approval
	var gone []string
	for _, id := range ids {
		var a Approval
		ok, err := v.get(ctx, approvalKey(id), &a)
		if err != nil {
			return nil, err
		}
		if !ok || !v.o.Now().Before(a.Expires) {
			gone = append(gone, id)
			continue
		}
		if a.Requester.ID != viewer && a.Target.ID != viewer {
			out = append(out, a)
		}
	}
	if len(gone) > 0 {
		_ = v.index(ctx, func(ids []string) []string {
			return slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(gone, id) })
		})
	}
	return out, nil
}

// Approve's refusals.
var (
	// ErrApprovalGone means the approval request timed out, or was already answered.
	ErrApprovalGone = errors.New("helpdesk: the approval request timed out")
	// ErrOwnRequest means the requester tried to approve their own request.
	ErrOwnRequest = errors.New("helpdesk: nobody approves their own request")
	// ErrTargetApproves means the user the request is about tried to approve it.
	ErrTargetApproves = errors.New("helpdesk: the user a request is about cannot approve it")
)

// Approve vouches for the caller of request id: the requester is verified for the target, by
// approval, with approver named. Nobody approves their own request or one about themselves;
// a request is approved at most once and not after it timed out.
func (v *Verifier) Approve(ctx context.Context, id string, approver audit.Person) (Approval, Verification, error) {
	var a Approval
	ok, err := v.get(ctx, approvalKey(id), &a)
	switch {
	case err != nil:
		return Approval{}, Verification{}, err
	case !ok || !v.o.Now().Before(a.Expires):
		return a, Verification{}, ErrApprovalGone
	case approver.ID == a.Requester.ID:
		return a, Verification{}, ErrOwnRequest
	case approver.ID == a.Target.ID:
		return a, Verification{}, ErrTargetApproves
	}
	if _, err := v.store.Take(ctx, approvalKey(id)); errors.Is(err, store.ErrNotFound) {
		return a, Verification{}, ErrApprovalGone
	} else if err != nil {
		return a, Verification{}, fmt.Errorf("helpdesk: %w", err)
	}
	_ = v.store.Delete(ctx, askedKey(a.Requester.ID, a.Target.ID))
	_ = v.index(ctx, func(ids []string) []string { return slices.DeleteFunc(ids, func(s string) bool { return s == id }) })
	ver, err := v.grant(ctx, Verification{Agent: a.Requester.ID, User: a.Target.ID, Kind: KindApproval, Approver: approver, Signals: a.Signals})
	return a, ver, err
}

// index changes the list of open approval requests under a short lock, so that two instances
// adding at once do not lose one. The list only serves to show requests; an entry lost anyway
// (a lock that timed out) hides a request, never grants one.
func (v *Verifier) index(ctx context.Context, change func([]string) []string) error {
	locked := false
	for range 50 {
		ok, err := v.store.SetNX(ctx, approvalLockKey, []byte("1"), 2*time.Second)
		if err != nil {
			return fmt.Errorf("helpdesk: lock approvals: %w", err)
		}
		if locked = ok; locked {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("helpdesk: lock approvals: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if locked {
		// Only the lock this call took is let go: one held by another instance stays theirs.
		defer func() { _ = v.store.Delete(context.WithoutCancel(ctx), approvalLockKey) }()
	}
	var ids []string
	if _, err := v.get(ctx, approvalIndexKey, &ids); err != nil {
		return err
	}
	ids = change(ids)
	return v.put(ctx, approvalIndexKey, ids, v.o.ApprovalTTL+time.Minute)
}

func (v *Verifier) put(ctx context.Context, key string, val any, ttl time.Duration) error {
	b, err := json.Marshal(val)
	if err != nil {
		return fmt.Errorf("helpdesk: encode %s: %w", key, err)
	}
	if err := v.store.Set(ctx, key, b, ttl); err != nil {
		return fmt.Errorf("helpdesk: keep %s: %w", strings.SplitN(key, ":", 3)[1], err)
	}
	return nil
}

// get reads key into val and reports whether it was there.
func (v *Verifier) get(ctx context.Context, key string, val any) (bool, error) {
	b, err := v.store.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("helpdesk: read %s: %w", strings.SplitN(key, ":", 3)[1], err)
	}
	if err := json.Unmarshal(b, val); err != nil {
		return false, fmt.Errorf("helpdesk: decode %s: %w", strings.SplitN(key, ":", 3)[1], err)
	}
	return true, nil
}

func changedKey(user string) string { return "hd:changed:" + user }

// MarkChanged notes that the user's methods changed now (by the user or the help desk), for
// the recent-change signal; the note lasts RecentWindow.
func (v *Verifier) MarkChanged(ctx context.Context, user string) error {
	return v.put(ctx, changedKey(user), v.o.Now(), RecentWindow)
}

// LastChange returns when MarkChanged last noted a change to the user's methods within
// RecentWindow, or the zero time.
func (v *Verifier) LastChange(ctx context.Context, user string) (time.Time, error) {
	var at time.Time
	_, err := v.get(ctx, changedKey(user), &at)
	return at, err
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
