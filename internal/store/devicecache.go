package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/smsmfa/portal/pingone"
)

// DeviceList is a person's device list as PingOne last returned it, plus the changes the portal
// made since; Version changes on every write, so that a write based on an older read is never
// stored over a newer one.
type DeviceList struct {
	Version string           `json:"v"`
	Devices []pingone.Device `json:"d"`
	// At is when it was written (Unix milliseconds); Changed marks a list written after a
	// change the portal made (not a plain read of PingOne's).
	At      int64 `json:"t"`
	Changed bool  `json:"c,omitempty"`
}

// DeviceCache keeps each person's device list (PrefixDevices) in S for DeviceListTTL.
type DeviceCache struct{ S Store }

func devicesKey(userID string) string { return PrefixDevices + userID }

// Get returns the cached list of userID, or ErrNotFound when there is none (or one that cannot
// be read).
func (c DeviceCache) Get(ctx context.Context, userID string) (*DeviceList, error) {
	v, err := c.S.Get(ctx, devicesKey(userID))
	if err != nil {
		return nil, err
	}
	var l DeviceList
	if json.Unmarshal(v, &l) != nil {
		return nil, fmt.Errorf("store: device list of %s: %w", userID, ErrNotFound)
	}
	return &l, nil
}

// Put caches the list of userID for DeviceListTTL.
func (c DeviceCache) Put(ctx context.Context, userID string, l *DeviceList) error {
	return putJSON(ctx, c.S, "device list", devicesKey(userID), l, DeviceListTTL)
}

// Delete forgets the list of userID: the next read goes to PingOne. A missing entry is not an
// error.
func (c DeviceCache) Delete(ctx context.Context, userID string) error {
	if err := c.S.Delete(ctx, devicesKey(userID)); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}
