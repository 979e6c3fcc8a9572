package session

// The server-side record of a session: the cookie carries a session ID, and the session is
// valid only while the store (internal/store: memory for one instance, Redis for several) holds
// a record under that ID. Signing out deletes the record, so a copied cookie stops working on
// every instance at once; the record expires on its own after the idle timeout.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/store"
)

// keySID is the cookie key of the session ID.
const keySID = "sid"

// record is what the store keeps of a session.
type record struct {
	// UserID is whose session it is.
	UserID string `json:"u"`
	// Checked is when PingOne last said the person's account is enabled (Unix seconds).
	Checked int64 `json:"c"`
	// IDToken is the sign-in's ID token, which PingOne's sign-out takes as a hint. It is kept
	// here rather than in the cookie: a kilobyte and a half less for every request a phone
	// sends, and for every request the portal decrypts.
	IDToken string `json:"t,omitempty"`
}

func recordKey(sid string) string { return "session:" + sid }

// endedKey marks a session that was ended, for as long as its record could have lived: a
// refresh racing with the sign-out must not bring the record back.
func endedKey(sid string) string { return "session-ended:" + sid }

func newSID() string { return ids.Token(16) }

// recordTTL is how long a record lives without a refresh: the idle timeout, plus the minute by
// which "seen" may lag (Load refreshes it at most once a minute). The cookie's own times stay
// the exact bound.
func (m *Manager) recordTTL() time.Duration { return m.idle + time.Minute }

// readRecord returns the session's record, or nil when the store holds none.
func (m *Manager) readRecord(ctx context.Context, sid string) (*record, error) {
	if sid == "" {
		return nil, nil
	}
	v, err := m.records.Get(ctx, recordKey(sid))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session: read record: %w", err)
	}
	var rec record
	if err := json.Unmarshal(v, &rec); err != nil {
		// A record that cannot be read is no proof of a live session.
		return nil, nil
	}
	return &rec, nil
}

// writeRecord stores the session's record. When refresh is set (an existing session, not a
// new one), it then looks for an end mark: a sign-out that ran between this request's read and
// write must win, so the record is deleted again.
func (m *Manager) writeRecord(ctx context.Context, sid string, rec record, refresh bool) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("session: record: %w", err)
	}
	if err := m.records.Set(ctx, recordKey(sid), v, m.recordTTL()); err != nil {
		return fmt.Errorf("session: write record: %w", err)
	}
	if !refresh {
		return nil
	}
	_, err = m.records.Get(ctx, endedKey(sid))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("session: read end mark: %w", err)
	}
	if err := m.records.Delete(ctx, recordKey(sid)); err != nil {
		return fmt.Errorf("session: delete record: %w", err)
	}
	return nil
}

// endRecord ends a session on the server: the end mark first, then the record, so that a
// refresh running at the same time either sees the mark or is deleted after it.
func (m *Manager) endRecord(ctx context.Context, sid string) error {
	if err := m.records.Set(ctx, endedKey(sid), []byte("1"), m.recordTTL()); err != nil {
		return fmt.Errorf("session: mark ended: %w", err)
	}
	if err := m.records.Delete(ctx, recordKey(sid)); err != nil {
		return fmt.Errorf("session: delete record: %w", err)
	}
	return nil
}

// UserCheckedAt is when PingOne last said the signed-in person's account is enabled.
func (s *Session) UserCheckedAt() time.Time { return time.Unix(s.checked, 0) }

// UserChecked records that PingOne has just said the person's account is enabled; the record
// is written when the session is saved.
func (s *Session) UserChecked(now time.Time) {
	s.checked = now.Unix()
	s.write = true
}

// saveRecords applies to the store what this request changed: sessions ended, a new or
// refreshed record.
func (s *Session) saveRecords(ctx context.Context) error {
	for _, sid := range s.ended {
		if err := s.m.endRecord(ctx, sid); err != nil {
			return err
		}
	}
	s.ended = nil
	sid := s.str(keySID)
	if s.write && sid != "" && s.UserID() != "" {
		if err := s.m.writeRecord(ctx, sid, record{UserID: s.UserID(), Checked: s.checked, IDToken: s.idToken}, !s.fresh); err != nil {
			return err
		}
	}
	s.write, s.fresh = false, false
	return nil
}

// end queues the session's record for deletion at Save.
func (s *Session) end() {
	if sid := s.str(keySID); sid != "" {
		s.ended = append(s.ended, sid)
	}
}
