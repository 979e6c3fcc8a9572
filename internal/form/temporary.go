package form

import (
	"net/http"
	"time"
)

// MaxDuration bounds the duration as sent, in bytes, where an audit record names a refused
// one: the choices ("1h0m0s", "24h0m0s") are far shorter.
const MaxDuration = 32

// TemporaryAccess is the help desk's form that gives a user temporary access: its length and
// the reason, which it always needs (it is a weaker sign-in for a while).
type TemporaryAccess struct {
	// Duration is the length chosen, or 0 when the value is not a duration; internal/mfa
	// (GrantTemporaryAccess) decides whether it is one of the choices.
	Duration time.Duration
	// DurationText is the value as sent, cut to MaxDuration bytes, for the audit record of a
	// refused one.
	DurationText string
	Reason       Reason
}

// NewTemporaryAccess reads the temporary-access form of r.
func NewTemporaryAccess(r *http.Request) TemporaryAccess {
	f := TemporaryAccess{DurationText: r.FormValue("duration"), Reason: NewReason(r)}
	if d, err := time.ParseDuration(f.DurationText); err == nil {
		f.Duration = d
	}
	if len(f.DurationText) > MaxDuration {
		f.DurationText = f.DurationText[:MaxDuration]
	}
	return f
}

// Problem is ErrNoReason when no reason was given, or nil.
func (f TemporaryAccess) Problem() error { return f.Reason.Problem(true) }
