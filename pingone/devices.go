package pingone

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Device statuses, as PingOne writes them.
const (
	StatusActive             = "ACTIVE"
	StatusActivationRequired = "ACTIVATION_REQUIRED"
)

// The content types that select a device action on POST /devices/{id}.
const (
	ContentTypeActivate           = "application/vnd.pingidentity.device.activate+json"
	ContentTypeSendActivationCode = "application/vnd.pingidentity.device.sendActivationCode+json"
	ContentTypeUnlock             = "application/vnd.pingidentity.device.unlock+json"
	ContentTypeBlock              = "application/vnd.pingidentity.device.block+json"
	ContentTypeUnblock            = "application/vnd.pingidentity.device.unblock+json"
	ContentTypeReorder            = "application/vnd.pingidentity.devices.reorder+json"
)

// Link is a HAL link.
type Link struct {
	Href string `json:"href"`
}

// Ref is a reference to another resource by ID.
type Ref struct {
	ID string `json:"id"`
}

// Device is one of a user's MFA devices.
type Device struct {
	Links       map[string]Link `json:"_links,omitempty"`
	ID          string          `json:"id"`
	Environment *Ref            `json:"environment,omitempty"`
	User        *Ref            `json:"user,omitempty"`
	Type        string          `json:"type"`
	Status      string          `json:"status"`
	Phone       string          `json:"phone,omitempty"`
	Email       string          `json:"email,omitempty"`
	Nickname    string          `json:"nickname,omitempty"`
	// Lock and Block are PingOne's lock and block objects (nil when it sends none); Locked and
	// Blocked read them.
	Lock      *DeviceLock  `json:"lock,omitempty"`
	Block     *DeviceBlock `json:"block,omitempty"`
	CreatedAt time.Time    `json:"createdAt"`
	UpdatedAt time.Time    `json:"updatedAt"`
}

// Lock and block statuses, as PingOne writes them.
const (
	LockStatusLocked    = "LOCKED"
	LockStatusUnlocked  = "UNLOCKED"
	BlockStatusBlocked  = "BLOCKED"
	BlockStatusUnlocked = "UNBLOCKED"
)

// UnmarshalJSON reads a device leniently: lock and block as PingOne's objects
// ({"status":"LOCKED","expiresAt":...}, {"status":"BLOCKED","blockedAt":...}) or as older
// booleans ("blocked": true, "locked": true, "lock": true); an unexpected shape of any of them
// reads as "not locked" or "not blocked" rather than failing the whole answer.
func (d *Device) UnmarshalJSON(b []byte) error {
	type plain Device
	var w struct {
		*plain
		Blocked json.RawMessage `json:"blocked"`
		Locked  json.RawMessage `json:"locked"`
	}
	w.plain = (*plain)(d)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if d.Block == nil && rawTrue(w.Blocked) {
		d.Block = &DeviceBlock{Status: BlockStatusBlocked}
	}
	if d.Lock == nil && rawTrue(w.Locked) {
		d.Lock = &DeviceLock{Status: LockStatusLocked}
	}
	return nil
}

func rawTrue(r json.RawMessage) bool {
	var v bool
	return len(r) > 0 && json.Unmarshal(r, &v) == nil && v
}

// DeviceLock says whether a device is locked after too many wrong codes, and until when.
type DeviceLock struct {
	Status    string    `json:"status"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// UnmarshalJSON reads the lock leniently: an object, or a boolean.
func (l *DeviceLock) UnmarshalJSON(b []byte) error {
	return lenientStatus(b, LockStatusLocked, LockStatusUnlocked, func(o statusObject) json.RawMessage { return o.ExpiresAt }, &l.Status, &l.ExpiresAt)
}

// DeviceBlock says whether an administrator blocked a device, and since when.
type DeviceBlock struct {
	Status    string    `json:"status"`
	BlockedAt time.Time `json:"blockedAt,omitzero"`
}

// UnmarshalJSON reads the block leniently: an object, or a boolean.
func (k *DeviceBlock) UnmarshalJSON(b []byte) error {
	return lenientStatus(b, BlockStatusBlocked, BlockStatusUnlocked, func(o statusObject) json.RawMessage { return o.BlockedAt }, &k.Status, &k.BlockedAt)
}

// statusObject is a lock or a block written as an object. Its time is expiresAt for a lock
// (when it ends) and blockedAt for a block (since when); both are kept raw, so that the other
// type's field is never an error.
type statusObject struct {
	Status    string          `json:"status"`
	ExpiresAt json.RawMessage `json:"expiresAt"`
	BlockedAt json.RawMessage `json:"blockedAt"`
}

// lenientStatus reads a lock or block b that is either a boolean, true meaning on and false
// off (with no time), or an object, whose status it upper-cases and whose time (RFC 3339, the
// field when picks) it parses. It sets *status and *at only when b is one of these, so that
// otherwise the field is left as it was; it never fails, as a lock or block PingOne words
// otherwise must not make the whole device unreadable.
func lenientStatus(b []byte, on, off string, when func(statusObject) json.RawMessage, status *string, at *time.Time) error {
	var flag bool
	if json.Unmarshal(b, &flag) == nil {
		*status, *at = off, time.Time{}
		if flag {
			*status = on
		}
		return nil
	}
	var obj statusObject
	var stamp string
	if json.Unmarshal(b, &obj) != nil || len(when(obj)) > 0 && json.Unmarshal(when(obj), &stamp) != nil {
		return nil
	}
	parsed, _ := time.Parse(time.RFC3339, stamp)
	*status, *at = strings.ToUpper(obj.Status), parsed
	return nil
}

// Locked reports whether the device is locked now.
func (d *Device) Locked() bool {
	return d.Lock != nil && d.Lock.Status == LockStatusLocked && (d.Lock.ExpiresAt.IsZero() || time.Now().Before(d.Lock.ExpiresAt))
}

// LockedUntil returns when the device's lock ends, or the zero time when it is not locked or
// PingOne did not say.
func (d *Device) LockedUntil() time.Time {
	if !d.Locked() {
		return time.Time{}
	}
	return d.Lock.ExpiresAt
}

// Blocked reports whether an administrator blocked the device (PingOne's block object says
// BLOCKED, or an older answer's "blocked": true): it cannot be used to sign in until unblocked.
func (d *Device) Blocked() bool { return d.Block != nil && d.Block.Status == BlockStatusBlocked }

// Usable reports whether the device can be used to sign in now: active, neither blocked nor
// locked.
func (d *Device) Usable() bool {
	return d.Status == StatusActive && !d.Blocked() && !d.Locked()
}

// PhoneE164 returns the device's phone in E.164 form. PingOne answers with E.164
// ("+14135550150"); the seed's "1-234-567-8900" is a placeholder, but separators are still
// dropped and a plus put in front, so compare numbers only in this form.
func (d *Device) PhoneE164() string { return NormalizePhone(d.Phone) }

// NormalizePhone reduces a phone number as PingOne may write it to "+" and its digits, or ""
// when it holds no digit.
func NormalizePhone(s string) string {
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 1 {
		return ""
	}
	return b.String()
}

// NewSMSDevice is what the portal sends to create an SMS device.
type NewSMSDevice struct {
	// Phone in E.164, such as +15125201234.
	Phone string
	// Status is ACTIVATION_REQUIRED for self-service (PingOne texts a code) or empty for
	// PingOne's default, ACTIVE.
	Status   string
	Nickname string
	// PolicyID is the device authentication policy; sent only when set.
	PolicyID string
}

func (c *Client) devicesPath(userID string) string {
	return "/users/" + url.PathEscape(userID) + "/devices"
}

func (c *Client) devicePath(userID, deviceID string) string {
	return c.devicesPath(userID) + "/" + url.PathEscape(deviceID)
}

// CreateSMSDevice creates an SMS device for the user. It is never retried: if the answer is
// lost, the device may exist, and the caller must look it up (ListDevices, comparing
// PhoneE164) before trying again.
func (c *Client) CreateSMSDevice(ctx context.Context, userID string, d NewSMSDevice) (*Device, error) {
	body := map[string]any{"type": "SMS", "phone": d.Phone}
	if d.Status != "" {
		body["status"] = d.Status
	}
	if d.Nickname != "" {
		body["nickname"] = d.Nickname
	}
	if d.PolicyID != "" {
		body["policy"] = Ref{ID: d.PolicyID}
	}
	return doInto[Device](ctx, c, request{method: http.MethodPost, path: c.devicesPath(userID), body: body})
}

// ActivateDevice pairs a device with the one-time passcode PingOne texted. A wrong code gives
// an error for which IsWrongCode is true.
func (c *Client) ActivateDevice(ctx context.Context, userID, deviceID, otp string) (*Device, error) {
	return doInto[Device](ctx, c, request{method: http.MethodPost, path: c.devicePath(userID, deviceID),
		contentType: ContentTypeActivate, body: map[string]string{"otp": otp}})
}

// ResendActivationCode asks PingOne to text a new pairing code. PingOne answers 204 (or 200).
func (c *Client) ResendActivationCode(ctx context.Context, userID, deviceID string) error {
	return c.do(ctx, request{method: http.MethodPost, path: c.devicePath(userID, deviceID),
		contentType: ContentTypeSendActivationCode}, nil)
}

// ListDevices returns the user's MFA devices, default first.
func (c *Client) ListDevices(ctx context.Context, userID string) ([]Device, error) {
	var out struct {
		Embedded struct {
			Devices []Device `json:"devices"`
		} `json:"_embedded"`
	}
	err := c.do(ctx, request{method: http.MethodGet, path: c.devicesPath(userID), idempotent: true,
		query: url.Values{"expand": {"order"}}}, &out)
	if err != nil {
		return nil, err
	}
	return out.Embedded.Devices, nil
}

// GetDevice reads one of the user's devices. A device of another user is not found.
func (c *Client) GetDevice(ctx context.Context, userID, deviceID string) (*Device, error) {
	return doInto[Device](ctx, c, request{method: http.MethodGet, path: c.devicePath(userID, deviceID), idempotent: true})
}

// DeleteDevice removes a device. A device already gone counts as removed, which makes a retry
// after a lost answer safe.
func (c *Client) DeleteDevice(ctx context.Context, userID, deviceID string) error {
	err := c.do(ctx, request{method: http.MethodDelete, path: c.devicePath(userID, deviceID), idempotent: true}, nil)
	if IsNotFound(err) {
		return nil
	}
	return err
}

// SetDeviceOrder orders the user's active devices; the first becomes the default.
func (c *Client) SetDeviceOrder(ctx context.Context, userID string, deviceIDs []string) error {
	order := make([]Ref, len(deviceIDs))
	for i, id := range deviceIDs {
		order[i] = Ref{ID: id}
	}
	// A POST: not retried, like every POST (the caller re-reads the list instead).
	return c.do(ctx, request{method: http.MethodPost, path: c.devicesPath(userID), contentType: ContentTypeReorder,
		body: map[string]any{"order": order}}, nil)
}

// RenameDevice sets a device's nickname.
func (c *Client) RenameDevice(ctx context.Context, userID, deviceID, nickname string) (*Device, error) {
	return doInto[Device](ctx, c, request{method: http.MethodPut, path: c.devicePath(userID, deviceID) + "/nickname",
		body: map[string]string{"nickname": nickname}, idempotent: true})
}

// BlockDevice blocks a device: it stays registered but cannot be used until unblocked.
func (c *Client) BlockDevice(ctx context.Context, userID, deviceID string) error {
	return c.do(ctx, request{method: http.MethodPost, path: c.devicePath(userID, deviceID),
		contentType: ContentTypeBlock}, nil)
}

// UnblockDevice lifts an administrator's block.
func (c *Client) UnblockDevice(ctx context.Context, userID, deviceID string) error {
	return c.do(ctx, request{method: http.MethodPost, path: c.devicePath(userID, deviceID),
		contentType: ContentTypeUnblock}, nil)
}

// UnlockDevice unlocks a device locked after too many wrong codes.
func (c *Client) UnlockDevice(ctx context.Context, userID, deviceID string) error {
	return c.do(ctx, request{method: http.MethodPost, path: c.devicePath(userID, deviceID),
		contentType: ContentTypeUnlock}, nil)
}
