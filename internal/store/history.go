package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// History keeps a short-lived copy of each person's MFA history (PrefixHistory) in S for
// HistoryTTL. E is the event type internal/mfa reads from PingOne's audit activities; the copy
// is E's JSON.
type History[E any] struct{ S Store }

func historyKey(userID string) string { return PrefixHistory + userID }

// Get returns the kept history of userID, or ErrNotFound (also for one that cannot be read).
func (h History[E]) Get(ctx context.Context, userID string) ([]E, error) {
	b, err := h.S.Get(ctx, historyKey(userID))
	if err != nil {
		return nil, err
	}
	var evs []E
	if json.Unmarshal(b, &evs) != nil {
		return nil, fmt.Errorf("store: history of %s: %w", userID, ErrNotFound)
	}
	return evs, nil
}

// Put keeps the history of userID for HistoryTTL.
func (h History[E]) Put(ctx context.Context, userID string, evs []E) error {
	return putJSON(ctx, h.S, "history", historyKey(userID), evs, HistoryTTL)
}

// Delete forgets the history of userID, so that the next page reads PingOne.
func (h History[E]) Delete(ctx context.Context, userID string) error {
	return h.S.Delete(ctx, historyKey(userID))
}
