package emulator

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

type device struct {
	ID        string
	UserID    string
	Type      string
	Status    string
	Phone     string // E.164
	Nickname  string
	Blocked   bool
	BlockedAt time.Time
	OTP       string
	OTPExpiry time.Time
	Failures  int // wrong entries of the current code
	Streak    int // wrong codes in a row, for the lockout
	CoolTil   time.Time
	LockedTil time.Time
	// PolicyID is the device authentication policy the device was paired under ("": the
	// default).
	PolicyID  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AddSMSDevice gives the user an SMS device for the E.164 number, active or waiting for its
// code (then the code is texted), and returns its ID.
func (s *Server) AddSMSDevice(userID, phone string, active bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	d := &device{ID: uuid.NewString(), UserID: userID, Type: "SMS", Status: "ACTIVE", Phone: e164(phone), CreatedAt: now, UpdatedAt: now}
	if !active {
		d.Status = "ACTIVATION_REQUIRED"
		s.sendCode(d)
	}
	s.devices[userID] = append(s.devices[userID], d)
	return d.ID
}

// AgeDevice moves one of the user's devices back in time by d: its createdAt and updatedAt,
// as if it had been added that long ago (a seeded phone that is not new).
func (s *Server) AgeDevice(userID, deviceID string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if dev := s.userDevice(userID, deviceID); dev != nil {
		dev.CreatedAt, dev.UpdatedAt = dev.CreatedAt.Add(-d), dev.UpdatedAt.Add(-d)
	}
}

// LockDevice locks one of the user's devices for the MFA settings' lockout duration, as too many
// wrong codes at sign-in would.
func (s *Server) LockDevice(userID, deviceID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.userDevice(userID, deviceID); d != nil {
		d.LockedTil = s.now().Add(s.settings.LockoutDuration)
	}
}

// DeviceInfo is a snapshot of a device, for tests' assertions.
type DeviceInfo struct {
	ID, Type, Status, Phone, Nickname string
	Locked, Blocked                   bool
}

// Devices returns the user's devices in order.
func (s *Server) Devices(userID string) []DeviceInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []DeviceInfo
	for _, d := range s.devices[userID] {
		out = append(out, DeviceInfo{ID: d.ID, Type: d.Type, Status: d.Status, Phone: d.Phone, Nickname: d.Nickname,
			Locked: s.now().Before(d.LockedTil), Blocked: d.Blocked})
	}
	return out
}

// SetNickname names one of the user's devices, as PUT .../devices/{id}/nickname does.
func (s *Server) SetNickname(userID, deviceID, nickname string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.userDevice(userID, deviceID); d != nil {
		d.Nickname = nickname
	}
}

// e164 reduces a number to E.164 when it is one PingOne accepts, and leaves it as given
// otherwise (seeded numbers are the caller's business).
func e164(p string) string {
	if v := validPhone(p); v != "" {
		return v
	}
	return p
}

// deviceJSON writes a device as PingOne does: phone in E.164 (as in a captured real answer;
// the seed's "1-234-567-8900" is a placeholder), and lock and block objects on every device.
func (s *Server) deviceJSON(d *device) map[string]any {
	self := s.apiURL("/users/" + d.UserID + "/devices/" + d.ID)
	links := map[string]any{
		"self":        map[string]string{"href": self},
		"environment": map[string]string{"href": s.APIBase() + "/environments/" + s.envID},
		"user":        map[string]string{"href": s.apiURL("/users/" + d.UserID)},
	}
	if d.Status == "ACTIVATION_REQUIRED" {
		links["activate"] = map[string]string{"href": self}
	}
	lock := map[string]string{"status": "UNLOCKED"}
	if s.now().Before(d.LockedTil) {
		lock = map[string]string{"status": "LOCKED", "expiresAt": d.LockedTil.UTC().Format(timeFormat)}
	}
	block := map[string]string{"status": "UNBLOCKED"}
	if d.Blocked {
		block = map[string]string{"status": "BLOCKED", "blockedAt": d.BlockedAt.UTC().Format(timeFormat)}
	}
	m := map[string]any{
		"_links":      links,
		"id":          d.ID,
		"environment": map[string]string{"id": s.envID},
		"user":        map[string]string{"id": d.UserID},
		"type":        d.Type,
		"status":      d.Status,
		"createdAt":   d.CreatedAt.UTC().Format(timeFormat),
		"updatedAt":   d.UpdatedAt.UTC().Format(timeFormat),
		"phone":       d.Phone,
		"lock":        lock,
		"block":       block,
	}
	if d.Nickname != "" {
		m["nickname"] = d.Nickname
	}
	return m
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *user) {
		var statusEq, typeEq string
		if f := r.URL.Query().Get("filter"); f != "" {
			// Only the documented filters: status eq "X", type eq "X", joined by and.
			for _, part := range strings.Split(f, " and ") {
				fields := strings.SplitN(strings.TrimSpace(part), " ", 3)
				if len(fields) != 3 || fields[1] != "eq" {
					invalid(w, "INVALID_FILTER", "filter", "unsupported filter")
					return
				}
				v := strings.Trim(fields[2], `"`)
				switch fields[0] {
				case "status":
					statusEq = v
				case "type":
					typeEq = v
				default:
					invalid(w, "INVALID_FILTER", "filter", "unsupported filter attribute")
					return
				}
			}
		}
		devs := []map[string]any{}
		for _, d := range s.devices[u.ID] {
			if (statusEq == "" || d.Status == statusEq) && (typeEq == "" || d.Type == typeEq) {
				devs = append(devs, s.deviceJSON(d))
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"_links":    map[string]any{"self": map[string]string{"href": s.apiURL("/users/" + u.ID + "/devices")}},
			"_embedded": map[string]any{"devices": devs},
			"count":     len(devs), "size": len(devs),
		})
	})
}

func (s *Server) lookupDevice(w http.ResponseWriter, r *http.Request) (*user, *device) {
	u := s.lookupUser(w, r)
	if u == nil {
		return nil, nil
	}
	if d := s.userDevice(u.ID, r.PathValue("did")); d != nil {
		return u, d
	}
	writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested device was not found.")
	return nil, nil
}

// userDevice is the user's device with that ID, or nil when the user has none such. s.mu is
// held.
func (s *Server) userDevice(userID, deviceID string) *device {
	for _, d := range s.devices[userID] {
		if d.ID == deviceID {
			return d
		}
	}
	return nil
}

// withDevice runs f with the request's user and device, holding s.mu; when there is no such
// user or device it answers 404 instead.
func (s *Server) withDevice(w http.ResponseWriter, r *http.Request, f func(u *user, d *device)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, d := s.lookupDevice(w, r); d != nil {
		f(u, d)
	}
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) {
	s.withDevice(w, r, func(_ *user, d *device) { writeJSON(w, http.StatusOK, s.deviceJSON(d)) })
}

func (s *Server) reorderDevices(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Order []struct {
			ID string `json:"id"`
		} `json:"order"`
	}
	if !decodeBody(w, r, "application/vnd.pingidentity.devices.reorder+json", &in) {
		return
	}
	s.withUser(w, r, func(u *user) {
		devs := s.devices[u.ID]
		var ordered []*device
		for _, o := range in.Order {
			i := slices.IndexFunc(devs, func(d *device) bool { return d.ID == o.ID })
			if i < 0 || devs[i].Status != "ACTIVE" || slices.Contains(ordered, devs[i]) {
				invalid(w, "INVALID_VALUE", "order", "order must list the user's active devices")
				return
			}
			ordered = append(ordered, devs[i])
		}
		for _, d := range devs {
			if !slices.Contains(ordered, d) {
				ordered = append(ordered, d)
			}
		}
		s.devices[u.ID] = ordered
		var out []map[string]string
		for _, d := range ordered {
			out = append(out, map[string]string{"id": d.ID})
		}
		writeJSON(w, http.StatusOK, map[string]any{"order": out})
	})
}

func (s *Server) deviceAction(w http.ResponseWriter, r *http.Request) {
	ct := mediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/vnd.pingidentity.device.activate+json":
		s.activate(w, r)
	case "application/vnd.pingidentity.device.sendactivationcode+json":
		s.resend(w, r)
	case "application/vnd.pingidentity.device.unlock+json", "application/vnd.pingidentity.device.block+json",
		"application/vnd.pingidentity.device.unblock+json":
		s.withDevice(w, r, func(_ *user, d *device) {
			now := s.now()
			switch ct {
			case "application/vnd.pingidentity.device.unlock+json":
				// Unlock resets the failed attempts counter (PingOne's Unlock MFA User Device).
				d.LockedTil, d.CoolTil, d.Failures, d.Streak = time.Time{}, time.Time{}, 0, 0
			case "application/vnd.pingidentity.device.block+json":
				if !d.Blocked {
					d.Blocked, d.BlockedAt = true, now
				}
			default:
				// UNVERIFIED: the unblock action's content type is the block one's counterpart;
				// the stored reference pages document block and unlock only.
				d.Blocked, d.BlockedAt = false, time.Time{}
			}
			d.UpdatedAt = now
			writeJSON(w, http.StatusOK, s.deviceJSON(d))
		})
	default:
		writeError(w, http.StatusUnsupportedMediaType, "INVALID_REQUEST", "The request content type is not supported.")
	}
}

func (s *Server) deleteDevice(w http.ResponseWriter, r *http.Request) {
	s.withDevice(w, r, func(u *user, d *device) {
		s.devices[u.ID] = slices.DeleteFunc(s.devices[u.ID], func(x *device) bool { return x == d })
		s.record(r, u.ID, ActivityDeviceGone, "Device "+maskTail(d.Phone)+" deleted", "SUCCESS")
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) renameDevice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Nickname string `json:"nickname"`
	}
	if !decodeBody(w, r, "application/json", &in) {
		return
	}
	if len(in.Nickname) > 100 {
		invalid(w, "INVALID_VALUE", "nickname", "nickname is too long")
		return
	}
	s.withDevice(w, r, func(_ *user, d *device) {
		d.Nickname, d.UpdatedAt = in.Nickname, s.now()
		writeJSON(w, http.StatusOK, s.deviceJSON(d))
	})
}
