package mfa

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// Replacement is a phone being replaced in one step: the new device waits for its code beside
// the old one, which keeps working until the new one is active and has taken its place. It is
// kept in the shared store (store.Replacements, which names its key and lifetime).
type Replacement = store.Replacement

// ErrCannotReplace is a device that cannot be replaced: not an active SMS phone.
var ErrCannotReplace = errors.New("mfa: only an active phone can be replaced")

// replacements keeps started replacements where every instance finds them: the shared store,
// or with none configured the Service's own (New).
func (s *Service) replacements() store.Replacements { return store.Replacements{S: s.replacing} }

// StartReplace registers the new number for the user beside the old phone oldID and has
// PingOne text it a code, as StartSMS does, on one read of PingOne's list (a number already
// waiting is resumed, never made twice); the old phone is left as it is. Finishing (FinishReplace) happens once the new phone
// is active. A replacement started before whose new phone is already active (its finish
// failed) is finished now: a retry completes the job.
func (s *Service) StartReplace(ctx context.Context, userID, oldID, input, region string, self *Proof) (Started, *Replacement, error) {
	// PingOne's own list, read once: the old phone, the step-up, then StartSMS's rules decide on it.
	before, err := s.freshList(ctx, userID)
	if err != nil {
		return Started{}, nil, err
	}
	devs := before.Devices
	i := slices.IndexFunc(devs, func(d pingone.Device) bool { return d.ID == oldID })
	if i < 0 {
		return Started{}, nil, ErrNotFound
	}
	old := view(devs[i], false)
	if !old.IsSMS() || old.Status != pingone.StatusActive {
		return Started{}, nil, ErrCannotReplace
	}
	if self != nil {
		if err := s.StepUpFor(list(devs), *self); err != nil {
			return Started{}, nil, err
		}
	}
	num, err := s.policy.Parse(input, region)
	if err != nil {
		return Started{}, nil, err
	}
	if d := pickSMS(devs, num.E164); d != nil && d.Status == pingone.StatusActive && d.ID != oldID {
		if r, ok := s.Pending(ctx, userID, d.ID); ok && r.Old == oldID {
			return Started{Device: view(*d, false)}, r, nil
		}
	}
	if err := s.pairingAllowed(ctx); err != nil {
		return Started{}, nil, err
	}
	started, err := s.startOn(ctx, userID, before, num.E164, self)
	if err != nil {
		return Started{}, nil, err
	}
	r := &Replacement{UserID: userID, Old: oldID, New: started.Device.ID, OldMasked: old.Masked, NewMasked: started.Device.Masked}
	if err := s.replacements().Put(ctx, r); err != nil {
		// Without the record the new phone would be added, not swapped: say so rather than
		// let the person believe the old one goes when they type the code.
		return Started{}, nil, fmt.Errorf("mfa: replacement not recorded: %w", err)
	}
	return started, r, nil
}

// Pending returns the replacement whose new phone is newID, if one was started and not
// finished.
func (s *Service) Pending(ctx context.Context, userID, newID string) (*Replacement, bool) {
	r, err := s.replacements().Get(ctx, userID, newID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.WarnContext(ctx, "replacement not readable", "user_id", userID, "device_id", newID, "error", err.Error())
		}
		return nil, false
	}
	return r, true
}

// FinishReplace puts the active new phone in the old one's place (its position in PingOne's
// order, its nickname) and removes the old one. Every step is idempotent and checked against
// PingOne's own list first, so a finish that failed half-way is completed by running it
// again, never duplicated; until the old phone is removed the person keeps it, and they never
// lose the new one.
func (s *Service) FinishReplace(ctx context.Context, r *Replacement) error {
	defer s.forget(ctx, r.UserID)
	devs, err := s.client.ListDevices(ctx, r.UserID)
	if err != nil {
		return err
	}
	ni := slices.IndexFunc(devs, func(d pingone.Device) bool { return d.ID == r.New })
	if ni < 0 {
		return ErrNotFound
	}
	if devs[ni].Status != pingone.StatusActive {
		return ErrNotPending
	}
	oi := slices.IndexFunc(devs, func(d pingone.Device) bool { return d.ID == r.Old })
	if oi >= 0 {
		if nick := devs[oi].Nickname; nick != "" && devs[ni].Nickname != nick {
			if _, err := s.client.RenameDevice(ctx, r.UserID, r.New, nick); err != nil {
				return err
			}
		}
		if order, moved := takePlace(devs, oi, ni); moved {
			if err := s.client.SetDeviceOrder(ctx, r.UserID, order); err != nil {
				return err
			}
		}
		if err := s.client.DeleteDevice(ctx, r.UserID, r.Old); err != nil && !pingone.IsNotFound(err) {
			return err
		}
	}
	if err := s.replacements().Delete(ctx, r.UserID, r.New); err != nil {
		s.log.WarnContext(ctx, "finished replacement not forgotten", "user_id", r.UserID, "error", err.Error())
	}
	return nil
}

// takePlace is the order of the active devices with the new one (at ni) moved just before the
// old one (at oi), and whether that differs from PingOne's order now.
func takePlace(devs []pingone.Device, oi, ni int) ([]string, bool) {
	var order, now []string
	for i, d := range devs {
		if d.Status != pingone.StatusActive {
			continue
		}
		now = append(now, d.ID)
		if i == ni {
			continue
		}
		if i == oi {
			order = append(order, devs[ni].ID)
		}
		order = append(order, d.ID)
	}
	return order, !slices.Equal(order, now)
}
