package session

// The server-side record of a session: the cookie carries a session ID, and the session is
// valid only while the store (internal/store: memory for one instance, Redis for several) holds
// a record under that ID. Signing out deletes the record, so a copied cookie stops working on
// every instance at once; the record expires on its own after the idle timeout. The record, its
// key and its lifetime are internal/store's (store.Sessions).

import (
	"context"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/store"
)

// keySID is the cookie key of the session ID.
const keySID = "sid"

func newSID() string { return ids.Token(16) }

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
		if err := s.m.records.End(ctx, sid); err != nil {
			return err
		}
	}
	s.ended = nil
	sid := s.str(keySID)
	if s.write && sid != "" && s.UserID() != "" {
		rec := store.SessionRecord{UserID: s.UserID(), Checked: s.checked, IDToken: s.idToken}
		write := s.m.records.Refresh
		if s.fresh {
			// A record just made has no end mark to look for.
			write = s.m.records.Put
		}
		if err := write(ctx, sid, rec); err != nil {
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
