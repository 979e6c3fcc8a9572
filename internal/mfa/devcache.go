package mfa

// The device-list cache: a person's journey (the add-phone form, "Send code", the code page,
// the list at the end) reads the same device list within seconds, and each read is a call to
// PingOne. The list PingOne last returned is kept in the shared store (one instance or many:
// every instance sees the same entry) for listTTL, with a version. Every change the portal
// makes to a person's devices goes through this Service, and either writes the list it leads
// to (a device made or activated: the answer says what changed) or deletes the entry.
//
// Who uses it: the code page and other pages about one device find the list there. "Send
// code" (StartSMS) reads PingOne's own list (and caches it), since the step-up, the cap and
// "resume, don't duplicate" decide on it. The list page and the step-up decision (StepUp) read
// PingOne, except on the page right after the portal's own change (shownDevices). The "resume,
// don't duplicate" recovery after a lost answer and MakeDefault always read PingOne.

import (
	"context"
	"slices"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// cachedList is a person's device list as PingOne last returned it, plus the changes the
// portal made since (the store's record: its key and lifetime are internal/store's).
type cachedList = store.DeviceList

// shownAfterChange is how long the list the portal's own change led to stands for PingOne's
// on the page that follows the change (the redirect to the list); any other showing of the
// list reads PingOne, so a reload shows changes made elsewhere.
const shownAfterChange = 10 * time.Second

// deviceCache is where the lists are kept (s.cache must be set).
func (s *Service) deviceCache() store.DeviceCache { return store.DeviceCache{S: s.cache} }

// cachedDevices returns the cached list, or nil when there is none (or no cache).
func (s *Service) cachedDevices(ctx context.Context, userID string) *cachedList {
	if s.cache == nil {
		return nil
	}
	c, err := s.deviceCache().Get(ctx, userID)
	if err != nil {
		return nil
	}
	return c
}

// freshDevices reads the list from PingOne and caches it.
func (s *Service) freshDevices(ctx context.Context, userID string) ([]pingone.Device, error) {
	c, err := s.freshList(ctx, userID)
	return c.Devices, err
}

// freshList is freshDevices with the cache entry it wrote (its version: a change made later
// only updates the entry if it is still this one), or an entry of its own when none could be
// written.
func (s *Service) freshList(ctx context.Context, userID string) (*cachedList, error) {
	devs, err := s.client.ListDevices(ctx, userID)
	if err != nil {
		s.forget(ctx, userID)
		return &cachedList{}, err
	}
	return s.storeList(ctx, userID, devs, false), nil
}

// shownDevices is the list to show the person: PingOne's, unless the portal has just changed
// it (then the list that change led to).
func (s *Service) shownDevices(ctx context.Context, userID string) ([]pingone.Device, error) {
	if c := s.cachedDevices(ctx, userID); c != nil && c.Changed && s.now().Sub(time.UnixMilli(c.At)) < shownAfterChange {
		return c.Devices, nil
	}
	return s.freshDevices(ctx, userID)
}

// storeList caches devs and returns the entry; with no cache, or when the entry could not be
// written, it returns the entry unwritten (its version then matches nothing in the store).
func (s *Service) storeList(ctx context.Context, userID string, devs []pingone.Device, changed bool) *cachedList {
	c := &cachedList{Version: ids.Token(8), Devices: devs, At: s.now().UnixMilli(), Changed: changed}
	if s.cache == nil {
		return c
	}
	if err := s.deviceCache().Put(ctx, userID, c); err != nil {
		// The next read goes to PingOne: an entry that could not be written must not stay.
		s.forget(ctx, userID)
	}
	return c
}

// forget deletes the cached list: the next read goes to PingOne.
func (s *Service) forget(ctx context.Context, userID string) {
	if s.cache == nil {
		return
	}
	if err := s.deviceCache().Delete(ctx, userID); err != nil {
		s.log.WarnContext(ctx, "device list cache entry not deleted", "user_id", userID, "error", err.Error())
	}
}

// changed records a device the portal just made or changed, as PingOne's answer gave it: the
// cached list gets it when the entry is still the one read before the change (its version
// unchanged), and is deleted otherwise.
func (s *Service) changed(ctx context.Context, userID string, before *cachedList, d *pingone.Device) {
	if s.cache == nil {
		return
	}
	now := s.cachedDevices(ctx, userID)
	if before == nil || now == nil || now.Version != before.Version || d == nil {
		s.forget(ctx, userID)
		return
	}
	devs := slices.Clone(now.Devices)
	if i := slices.IndexFunc(devs, func(x pingone.Device) bool { return x.ID == d.ID }); i >= 0 {
		devs[i] = *d
	} else {
		devs = append(devs, *d)
	}
	s.storeList(ctx, userID, devs, true)
}
