package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SessionRecord is what the store keeps of a signed-in session: the cookie carries the session
// ID, and the session is valid only while a record is kept under it.
type SessionRecord struct {
	// UserID is whose session it is.
	UserID string `json:"u"`
	// Checked is when PingOne last said the person's account is enabled (Unix seconds).
	Checked int64 `json:"c"`
	// IDToken is the sign-in's ID token, which PingOne's sign-out takes as a hint. It is kept
	// here rather than in the cookie: a kilobyte and a half less for every request a phone
	// sends, and for every request the portal decrypts.
	IDToken string `json:"t,omitempty"`
}

// Sessions keeps the session records (PrefixSession) and the marks of ended sessions
// (PrefixSessionEnded) in S. Each lives Idle plus a minute unless refreshed.
type Sessions struct {
	S Store
	// Idle is the sessions' idle timeout.
	Idle time.Duration
}

func sessionKey(sid string) string      { return PrefixSession + sid }
func sessionEndedKey(sid string) string { return PrefixSessionEnded + sid }

func (s Sessions) ttl() time.Duration { return s.Idle + sessionLag }

// Get returns the record of session sid, or nil when the store holds none (or one that cannot
// be read: that is no proof of a live session). An error means the store could not be asked.
func (s Sessions) Get(ctx context.Context, sid string) (*SessionRecord, error) {
	if sid == "" {
		return nil, nil
	}
	v, err := s.S.Get(ctx, sessionKey(sid))
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session: read record: %w", err)
	}
	var rec SessionRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return nil, nil
	}
	return &rec, nil
}

// Put stores the record of a new session sid.
func (s Sessions) Put(ctx context.Context, sid string, rec SessionRecord) error {
	return putJSON(ctx, s.S, "session record", sessionKey(sid), rec, s.ttl())
}

// Refresh stores the record of an existing session sid for another lifetime, then looks for
// its end mark: a sign-out that ran between this request's read and write must win, so the
// record is deleted again.
func (s Sessions) Refresh(ctx context.Context, sid string, rec SessionRecord) error {
	if err := s.Put(ctx, sid, rec); err != nil {
		return err
	}
	_, err := s.S.Get(ctx, sessionEndedKey(sid))
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("session: read end mark: %w", err)
	}
	if err := s.S.Delete(ctx, sessionKey(sid)); err != nil {
		return fmt.Errorf("session: delete record: %w", err)
	}
	return nil
}

// End ends session sid on every instance: the end mark first, then the record, so that a
// refresh running at the same time either sees the mark or is deleted after it.
func (s Sessions) End(ctx context.Context, sid string) error {
	if err := s.S.Set(ctx, sessionEndedKey(sid), []byte("1"), s.ttl()); err != nil {
		return fmt.Errorf("session: mark ended: %w", err)
	}
	if err := s.S.Delete(ctx, sessionKey(sid)); err != nil {
		return fmt.Errorf("session: delete record: %w", err)
	}
	return nil
}
