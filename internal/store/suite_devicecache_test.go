package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/store"
	"github.com/smsmfa/portal/pingone"
)

// suiteDeviceCache is the contract of the device-list cache (store.DeviceCache).
func suiteDeviceCache(t *testing.T, newStore func(t *testing.T) harness) {
	ctx := context.Background()
	list := &store.DeviceList{Version: "v1", At: 1767323045000, Changed: true, Devices: []pingone.Device{
		{ID: "dev1", Type: "SMS", Status: pingone.StatusActive, Phone: "+15125551234", Nickname: "Work"},
		{ID: "dev2", Type: "SMS", Status: "ACTIVATION_REQUIRED", Phone: "+15125550000"},
	}}

	t.Run("DeviceList", func(t *testing.T) {
		h := newStore(t)
		c := store.DeviceCache{S: h.s}
		if _, err := c.Get(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get of no list: %v, want ErrNotFound", err)
		}
		if err := c.Put(ctx, "u1", list); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get(ctx, "u1")
		if err != nil || !reflect.DeepEqual(got, list) {
			t.Fatalf("Get = %+v, %v; want %+v", got, err, list)
		}
		if _, err := c.Get(ctx, "u2"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another user's list: %v, want ErrNotFound", err)
		}
		if ttl := h.ttl(store.PrefixDevices + "u1"); ttl <= store.DeviceListTTL-10*time.Second || ttl > store.DeviceListTTL {
			t.Errorf("the list lives %v, want %v", ttl, store.DeviceListTTL)
		}
		if err := c.Delete(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
		}
		if err := c.Delete(ctx, "u1"); err != nil {
			t.Fatalf("Delete of no list: %v", err)
		}
	})

	t.Run("DeviceListOnTheWire", func(t *testing.T) {
		h := newStore(t)
		c := store.DeviceCache{S: h.s}
		// The version before wrote the same JSON under devices:<user ID>.
		old := `{"v":"v1","d":[{"id":"dev1","type":"SMS","status":"ACTIVE","phone":"+15125551234"}],"t":1767323045000}`
		if err := h.s.Set(ctx, "devices:u1", []byte(old), time.Minute); err != nil {
			t.Fatal(err)
		}
		got, err := c.Get(ctx, "u1")
		if err != nil || got.Version != "v1" || len(got.Devices) != 1 || got.Devices[0].Phone != "+15125551234" || got.Changed {
			t.Fatalf("Get of the version before's list = %+v, %v", got, err)
		}
		if err := c.Put(ctx, "u2", list); err != nil {
			t.Fatal(err)
		}
		raw, err := h.s.Get(ctx, "devices:u2")
		var back store.DeviceList
		if err != nil || json.Unmarshal(raw, &back) != nil || !reflect.DeepEqual(&back, list) {
			t.Fatalf("devices:u2 = %s, %v", raw, err)
		}
		if err := h.s.Set(ctx, "devices:u3", []byte("[broken"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Get(ctx, "u3"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Get of an unreadable list: %v, want ErrNotFound", err)
		}
	})
}
