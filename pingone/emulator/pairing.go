package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// validPhone accepts what PingOne documents: a leading + and the country code, with ".", " ",
// "-", "(" and ")" as separators. It returns E.164 or "".
func validPhone(p string) string {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "+") {
		return ""
	}
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range p[1:] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(". -()", r):
		default:
			return ""
		}
	}
	// E.164 allows at most 15 digits; the shortest numbers in service have 7 with the country code.
	if n := b.Len() - 1; n < 7 || n > 15 || p[1] == '0' {
		return ""
	}
	return b.String()
}

func (s *Server) postDevices(w http.ResponseWriter, r *http.Request) {
	if mediaType(r.Header.Get("Content-Type")) == "application/vnd.pingidentity.devices.reorder+json" {
		s.reorderDevices(w, r)
		return
	}
	in, ok := readNewDevice(w, r)
	if !ok {
		return
	}
	s.withUser(w, r, func(u *user) {
		pol := s.defaultPolicy()
		if in.policyID != "" {
			if pol = s.policyByID(in.policyID); pol == nil {
				// UNVERIFIED: PingOne's answer for a policy ID the environment does not have.
				invalid(w, "INVALID_VALUE", "policy.id", "The device authentication policy was not found.")
				return
			}
		}
		if !pol.SMS.canPair() {
			pairingRefused(w)
			return
		}
		if s.atDeviceLimit(u.ID) {
			s.deviceLimitError(w)
			return
		}
		now := s.now()
		d := &device{ID: uuid.NewString(), UserID: u.ID, Type: "SMS", Status: in.status, Phone: in.phone, Nickname: in.nickname,
			PolicyID: pol.ID, CreatedAt: now, UpdatedAt: now}
		if in.status == "ACTIVATION_REQUIRED" {
			s.sendCode(d)
		} else {
			s.notifyNewDevice(u, d)
		}
		s.devices[u.ID] = append(s.devices[u.ID], d)
		s.record(r, u.ID, ActivityDeviceAdded, "Device "+maskTail(d.Phone)+" created", "SUCCESS")
		writeJSON(w, http.StatusCreated, s.deviceJSON(d))
	})
}

// newDevice is a POST .../devices body, read and checked: an E.164 phone, the status asked
// for (ACTIVE when none), the nickname and the device authentication policy's ID ("": none).
type newDevice struct {
	phone, status, nickname, policyID string
}

// readNewDevice reads and checks a POST .../devices body; it answers PingOne's refusal itself,
// and reports false, for one the emulator does not take.
func readNewDevice(w http.ResponseWriter, r *http.Request) (newDevice, bool) {
	var in struct {
		Type     string `json:"type"`
		Phone    string `json:"phone"`
		Status   string `json:"status"`
		Nickname string `json:"nickname"`
		Policy   *struct {
			ID string `json:"id"`
		} `json:"policy"`
	}
	if !decodeBody(w, r, "application/json", &in) {
		return newDevice{}, false
	}
	switch {
	case missing(w, "type", in.Type == ""):
		return newDevice{}, false
	case in.Type != "SMS":
		// The emulator knows SMS devices only; PingOne's other types are out of the portal's scope.
		invalid(w, "INVALID_VALUE", "type", "unsupported device type")
		return newDevice{}, false
	}
	phone := validPhone(in.Phone)
	if missing(w, "phone", in.Phone == "") {
		return newDevice{}, false
	}
	if phone == "" {
		invalid(w, "INVALID_VALUE", "phone", "phone must be in international format with a leading +")
		return newDevice{}, false
	}
	status := in.Status
	switch status {
	case "":
		// A worker app creating a device on a user's behalf gets ACTIVE by default (the seed).
		status = "ACTIVE"
	case "ACTIVE", "ACTIVATION_REQUIRED":
	default:
		invalid(w, "INVALID_VALUE", "status", "status must be ACTIVE or ACTIVATION_REQUIRED")
		return newDevice{}, false
	}
	nd := newDevice{phone: phone, status: status, nickname: in.Nickname}
	if in.Policy != nil {
		nd.policyID = in.Policy.ID
	}
	return nd, true
}

// atDeviceLimit reports whether the user has as many devices as maxAllowedDevices allows;
// only ACTIVE and BLOCKED devices count. s.mu is held.
func (s *Server) atDeviceLimit(userID string) bool {
	n := 0
	for _, d := range s.devices[userID] {
		if d.Status == "ACTIVE" || d.Blocked {
			n++
		}
	}
	return n >= s.settings.MaxAllowedDevices
}

// deviceLimitError answers as PingOne's MFA settings reference documents. s.mu is held.
func (s *Server) deviceLimitError(w http.ResponseWriter) {
	writeErrorDetails(w, http.StatusBadRequest, "REQUEST_FAILED", "The request could not be completed.",
		detail{Code: "LIMIT_EXCEEDED", Message: "Maximum allowed devices has been reached",
			InnerError: map[string]any{"maximumAllowed": s.settings.MaxAllowedDevices}})
}

// sendCode sets a new pairing code on d and "texts" it; s.mu is held.
func (s *Server) sendCode(d *device) {
	p := s.newPasscode(s.policyOf(d).SMS)
	d.OTP, d.OTPExpiry, d.Failures = p.code, p.expiry, 0
	s.outbox = append(s.outbox, p.sms(d.Phone))
}

// withPendingDevice runs f, as withDevice does, with the request's device when it waits for
// activation, and the time; otherwise it answers PingOne's error, as neither a code check nor
// a resend applies to an activated device.
func (s *Server) withPendingDevice(w http.ResponseWriter, r *http.Request, f func(u *user, d *device, now time.Time)) {
	s.withDevice(w, r, func(u *user, d *device) {
		if d.Status != "ACTIVATION_REQUIRED" {
			writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "The device does not require activation.")
			return
		}
		if !s.policyOf(d).SMS.canPair() {
			// Finishing a pairing is pairing: refused as a create is (UNVERIFIED, as there).
			pairingRefused(w)
			return
		}
		f(u, d, s.now())
	})
}

func lockedError(w http.ResponseWriter) {
	// UNVERIFIED: PingOne's answer for a device locked after too many wrong codes.
	writeErrorDetails(w, http.StatusBadRequest, "REQUEST_FAILED", "The device is locked after too many failed attempts.",
		detail{Code: "DEVICE_LOCKED", Message: "Too many failed attempts. Try again later."})
}

func wrongCode(w http.ResponseWriter, msg string) {
	invalid(w, "INVALID_OTP", "otp", msg)
}

func (s *Server) activate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OTP string `json:"otp"`
	}
	if !decodeBody(w, r, "application/vnd.pingidentity.device.activate+json", &in) {
		return
	}
	s.withPendingDevice(w, r, func(u *user, d *device, now time.Time) {
		switch {
		case now.Before(d.LockedTil):
			if s.opts.LockedAnswersWrongCode {
				wrongCode(w, "The passcode is not valid.")
			} else {
				lockedError(w)
			}
			return
		case missing(w, "otp", in.OTP == ""):
			return
		case d.OTP == "" || now.After(d.OTPExpiry) || now.Before(d.CoolTil):
			// UNVERIFIED: the answer for an expired or voided code; the documented detail code is
			// INVALID_OTP.
			wrongCode(w, "The passcode has expired.")
			return
		case subtle.ConstantTimeCompare([]byte(in.OTP), []byte(d.OTP)) != 1:
			d.Failures++
			d.Streak++
			if pol := s.policyOf(d).SMS; d.Failures >= pol.OTPMaxFailures {
				// sms.otp.failure.count reached: this code is void, and a new one waits out the
				// cool-down.
				d.OTP = ""
				d.CoolTil = now.Add(pol.OTPCoolDown)
			}
			s.record(r, u.ID, ActivityWrongCode, "Wrong pairing code for "+maskTail(d.Phone), "FAILED")
			if d.Streak >= s.settings.LockoutCount {
				d.LockedTil = now.Add(s.settings.LockoutDuration)
				d.OTP, d.Streak = "", 0
				s.record(r, u.ID, ActivityDeviceLocked, "Device "+maskTail(d.Phone)+" locked", "SUCCESS")
			}
			wrongCode(w, "The passcode is not valid.")
			return
		case s.atDeviceLimit(u.ID):
			s.deviceLimitError(w)
			return
		}
		d.Status, d.OTP, d.Failures, d.Streak, d.UpdatedAt = "ACTIVE", "", 0, 0, now
		s.record(r, u.ID, ActivityActivated, "Device "+maskTail(d.Phone)+" activated", "SUCCESS")
		s.notifyNewDevice(u, d)
		writeJSON(w, http.StatusOK, s.deviceJSON(d))
	})
}

func (s *Server) resend(w http.ResponseWriter, r *http.Request) {
	s.withPendingDevice(w, r, func(_ *user, d *device, now time.Time) {
		switch {
		case now.Before(d.LockedTil):
			lockedError(w)
			return
		case now.Before(d.CoolTil):
			// UNVERIFIED: the answer during sms.otp.failure.coolDown.
			writeErrorDetails(w, http.StatusBadRequest, "REQUEST_FAILED", "Too many failed attempts. Try again later.",
				detail{Code: "INVALID_OTP", Target: "otp", Message: "Wait before asking for a new passcode.",
					InnerError: map[string]any{"coolDownEndsAt": d.CoolTil.UTC().Format(timeFormat)}})
			return
		}
		s.sendCode(d)
		// UNVERIFIED: 204 or 200; the emulator answers 204.
		w.WriteHeader(http.StatusNoContent)
	})
}
