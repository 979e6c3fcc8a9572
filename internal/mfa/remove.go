package mfa

import (
	"context"
)

// Remove deletes one of the user's devices, which the caller has just read (with Device).
func (s *Service) Remove(ctx context.Context, userID string, d Device) error {
	defer s.forget(ctx, userID)
	return s.client.DeleteDevice(ctx, userID, d.ID)
}
