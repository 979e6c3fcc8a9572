package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// Replacement is a phone being replaced in one step: the new device waits for its code beside
// the old one, which keeps working until the new one is active and has taken its place.
type Replacement struct {
	UserID string `json:"u"`
	// Old and New are the device IDs; OldMasked and NewMasked their numbers, masked.
	Old       string `json:"o"`
	New       string `json:"n"`
	OldMasked string `json:"om"`
	NewMasked string `json:"nm"`
}

// Replacements keeps the replacements started and not finished (PrefixReplace) in S for
// ReplacementTTL, where every instance finds them.
type Replacements struct{ S Store }

func replaceKey(userID, newID string) string { return PrefixReplace + userID + ":" + newID }

// Get returns the replacement of userID whose new phone is newID, or ErrNotFound (also for one
// that cannot be read or is not that user's and device's).
func (r Replacements) Get(ctx context.Context, userID, newID string) (*Replacement, error) {
	b, err := r.S.Get(ctx, replaceKey(userID, newID))
	if err != nil {
		return nil, err
	}
	var rep Replacement
	if json.Unmarshal(b, &rep) != nil || rep.UserID != userID || rep.New != newID {
		return nil, fmt.Errorf("store: replacement %s: %w", newID, ErrNotFound)
	}
	return &rep, nil
}

// Put keeps rep, under its user and new device, for ReplacementTTL.
func (r Replacements) Put(ctx context.Context, rep *Replacement) error {
	return putJSON(ctx, r.S, "replacement", replaceKey(rep.UserID, rep.New), rep, ReplacementTTL)
}

// Delete forgets the replacement of userID whose new phone is newID.
func (r Replacements) Delete(ctx context.Context, userID, newID string) error {
	return r.S.Delete(ctx, replaceKey(userID, newID))
}
