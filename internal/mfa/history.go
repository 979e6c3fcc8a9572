package mfa

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// EventKind is what an event of a person's history was, as the pages word it.
type EventKind string

// The MFA events a history shows; PingOne's other activities are left out.
const (
	EventSignInMFA      EventKind = "sign_in_mfa"
	EventSignInPassword EventKind = "sign_in_password"
	EventWrongCode      EventKind = "wrong_code"
	EventLocked         EventKind = "locked"
	EventPhoneAdded     EventKind = "phone_added"
	EventPhoneActivated EventKind = "phone_activated"
	EventPhoneRemoved   EventKind = "phone_removed"
	EventTemporary      EventKind = "temporary_access"
)

// Event is one MFA event of a person's history.
type Event struct {
	At   time.Time `json:"at"`
	Kind EventKind `json:"kind"`
	// Correlation is the portal request that caused it, when the portal did.
	Correlation string `json:"correlation,omitempty"`
}

// HistoryDays is how far back a history goes: what PingOne keeps at hand.
const HistoryDays = 14

// historyPages bounds the pages read for one history (100 activities each).
const historyPages = 3

// HistoryMax is the most events a history keeps: enough for the full list (the phones page shows
// a few of them); reading stops at the first page that reaches it.
const HistoryMax = 50

// History returns the person's MFA events of the last 14 days, newest first, at most max,
// from PingOne's audit activities (kept a minute: store.HistoryTTL). An error means PingOne could not say (rate
// limited, down): the caller says history is not available, and the page still works.
func (s *Service) History(ctx context.Context, userID string, max int) ([]Event, error) {
	if s.cache != nil {
		if evs, err := s.history().Get(ctx, userID); err == nil {
			return evs[:min(max, len(evs))], nil
		}
	}
	to := s.now()
	from := to.Add(-HistoryDays * 24 * time.Hour)
	var evs []Event
	cursor := ""
	for range historyPages {
		page, err := s.client.UserActivities(ctx, userID, from, to.Add(time.Minute), 100, cursor)
		if err != nil {
			return nil, err
		}
		for _, a := range page.Activities {
			if k, ok := eventKind(a); ok {
				evs = append(evs, Event{At: a.RecordedAt, Kind: k, Correlation: a.CorrelationID})
			}
		}
		if cursor = page.Next; cursor == "" || len(evs) >= HistoryMax {
			break
		}
	}
	newestFirst(evs)
	if s.cache != nil {
		if err := s.history().Put(ctx, userID, evs); err != nil {
			s.log.WarnContext(ctx, "history not cached", "user_id", userID, "error", err.Error())
		}
	}
	return evs[:min(max, len(evs))], nil
}

// history is where histories are kept a minute (s.cache must be set).
func (s *Service) history() store.History[Event] { return store.History[Event]{S: s.cache} }

// eventKind sorts a PingOne activity into the events a history shows. The action types are
// PingOne's where its reference names them; a sign-in counts as one with a code when its
// description names more than the password (UNVERIFIED: PingOne's wording of the methods).
func eventKind(a pingone.Activity) (EventKind, bool) {
	switch a.Action.Type {
	case "USER.ACCESS_ALLOWED":
		d := strings.ToLower(a.Action.Description + " " + a.Result.Description)
		if strings.Contains(d, "otp") || strings.Contains(d, "mfa") || strings.Contains(d, "sms") {
			return EventSignInMFA, true
		}
		return EventSignInPassword, true
	case "AUTHENTICATION.OTP_FAILED":
		return EventWrongCode, true
	case "DEVICE.LOCKED":
		return EventLocked, true
	case "DEVICE.CREATED":
		return EventPhoneAdded, true
	case "DEVICE.ACTIVATED":
		return EventPhoneActivated, true
	case "DEVICE.DELETED":
		return EventPhoneRemoved, true
	case "USER.MFA_BYPASS_UPDATED":
		return EventTemporary, true
	}
	return "", false
}

// ForgetHistory drops the user's kept history after the portal changed their methods, so that
// the next page shows the change rather than a minute-old history.
func (s *Service) ForgetHistory(ctx context.Context, userID string) {
	if s.cache == nil {
		return
	}
	if err := s.history().Delete(ctx, userID); err != nil {
		s.log.WarnContext(ctx, "history not forgotten", "user_id", userID, "error", err.Error())
	}
}

// newestFirst orders events newest first, as every history shows them. PingOne's answer is in
// that order as far as the emulator and the reference's examples go, but no document says so:
// the portal does not depend on it.
func newestFirst(evs []Event) {
	slices.SortStableFunc(evs, func(a, b Event) int { return b.At.Compare(a.At) })
}
