package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// withOpenDeviceAuth is withDeviceAuth for a step of the authentication (a selection or a
// code): one that is finished is refused instead of running f.
func (s *Server) withOpenDeviceAuth(w http.ResponseWriter, r *http.Request, f func(a *deviceAuth)) {
	s.withDeviceAuth(w, r, func(a *deviceAuth) {
		if !finished(w, a) {
			f(a)
		}
	})
}

// finished answers for an authentication that is COMPLETED or FAILED: neither can be used
// again. UNVERIFIED: PingOne's answer. s.mu is held.
func finished(w http.ResponseWriter, a *deviceAuth) bool {
	if a.Status != authCompleted && a.Status != authFailed {
		return false
	}
	writeError(w, http.StatusBadRequest, "REQUEST_FAILED", "The device authentication is "+strings.ToLower(a.Status)+" and cannot be continued.")
	return true
}

func (s *Server) deviceAuthAction(w http.ResponseWriter, r *http.Request) {
	switch mediaType(r.Header.Get("Content-Type")) {
	case "application/vnd.pingidentity.device.select+json":
		s.selectAuthDevice(w, r)
	case "application/vnd.pingidentity.otp.check+json":
		s.checkAuthOTP(w, r)
	default:
		writeError(w, http.StatusUnsupportedMediaType, "INVALID_REQUEST", "The request content type is not supported.")
	}
}

func (s *Server) selectAuthDevice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Device *struct {
			ID string `json:"id"`
		} `json:"device"`
		Compatibility string `json:"compatibility"`
	}
	if !decodeBody(w, r, "application/vnd.pingidentity.device.select+json", &in) || missing(w, "device.id", in.Device == nil || in.Device.ID == "") {
		return
	}
	s.withOpenDeviceAuth(w, r, func(a *deviceAuth) {
		if a.OneTime != "" {
			// UNVERIFIED: a one-time target has nothing to select.
			writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "The device authentication has a one-time device; there is nothing to select.")
			return
		}
		d := s.userDevice(a.UserID, in.Device.ID)
		if !s.selectable(w, d) {
			return
		}
		// Failures are kept across selections, so that switching devices does not buy more tries.
		a.DeviceID, a.Status, a.UpdatedAt = d.ID, authOTPRequired, s.now()
		s.sendAuthCode(a)
		writeJSON(w, http.StatusOK, s.deviceAuthJSON(a))
	})
}

func (s *Server) checkAuthOTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		OTP string `json:"otp"`
	}
	if !decodeBody(w, r, "application/vnd.pingidentity.otp.check+json", &in) {
		return
	}
	s.withOpenDeviceAuth(w, r, func(a *deviceAuth) {
		now := s.now()
		switch {
		case a.Status != authOTPRequired:
			writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "A device must be selected before a passcode can be checked.")
			return
		case missing(w, "otp", in.OTP == ""):
			return
		}
		if d := s.userDevice(a.UserID, a.DeviceID); a.OneTime == "" && (d == nil || d.Blocked || now.Before(d.LockedTil)) {
			// The device was removed, blocked or locked since the code was sent.
			a.Status, a.ErrCode, a.ErrMsg, a.OTP, a.UpdatedAt = authFailed, "DEVICE_UNAVAILABLE", "The selected device can no longer be used.", "", now
			writeError(w, http.StatusBadRequest, "REQUEST_FAILED", "The selected device can no longer be used.")
			return
		}
		if now.After(a.OTPExpiry) || subtle.ConstantTimeCompare([]byte(in.OTP), []byte(a.OTP)) != 1 {
			a.Failures++
			a.UpdatedAt = now
			left := max(0, s.defaultPolicy().SMS.OTPMaxFailures-a.Failures)
			msg := "The passcode is not valid."
			if now.After(a.OTPExpiry) {
				msg = "The passcode has expired."
			}
			if left == 0 {
				// sms.otp.failure.count reached: the authentication is over. UNVERIFIED, as the
				// error codes below.
				a.Status, a.ErrCode, a.ErrMsg, a.OTP = authFailed, "TOO_MANY_ATTEMPTS", "Too many wrong passcodes.", ""
			}
			// UNVERIFIED: the answer to a wrong code (INVALID_OTP is a documented detail code) and
			// innerError.remainingAttempts, which the reference does not name.
			writeErrorDetails(w, http.StatusBadRequest, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
				detail{Code: "INVALID_OTP", Target: "otp", Message: msg, InnerError: map[string]any{"remainingAttempts": left}})
			return
		}
		a.Status, a.OTP, a.UpdatedAt = authCompleted, "", now
		writeJSON(w, http.StatusOK, s.deviceAuthJSON(a))
	})
}
