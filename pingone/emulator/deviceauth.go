package emulator

// PingOne's MFA device authentications (developer.pingidentity.com, "MFA Device
// Authentications"): POST {auth}/{envID}/deviceAuthentications starts one for a user, POST on
// the resource with application/vnd.pingidentity.device.select+json picks the device, and with
// application/vnd.pingidentity.otp.check+json checks the code; GET reads it. What the reference
// pages show and the emulator follows: the request bodies ({"user":{"id"}},
// {"selectedDevice":{"oneTime":{"type":"EMAIL","email"}}}, {"device":{"id"},"compatibility"},
// {"otp"}), 201 on create, the statuses OTP_REQUIRED, DEVICE_SELECTION_REQUIRED and COMPLETED,
// the answer's _links (self, device.select, otp.check, all the resource's URL), _embedded.devices
// with masked phone or email, selectedDevice ({id} or {oneTime}), user, environment, policy,
// createdAt, updatedAt, and the error object ({code, message}) of a failed one. The policy's
// deviceSelection (DEFAULT_TO_FIRST, PROMPT_TO_SELECT, ALWAYS_DISPLAY_DEVICES) decides whether
// the code goes out at once to the default device (mfa.yaml, EnumMFADevicePolicySelection).
//
// UNVERIFIED (the reference pages do not say; the emulator's choice is marked where it is made):
// which role the caller's token needs (the pages show "Bearer {{accessToken}}"; the emulator asks
// for the worker token the management API takes), the answers to a wrong, expired or
// over-tried code, the FAILED status, expiresAt, the masking of phone numbers, and the answers
// for an unknown user, a user without a usable device, a locked or blocked device, and an
// authentication that is finished or gone.

import (
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The device authentication statuses the emulator uses. FAILED is UNVERIFIED: the data model's
// error object says "the reason for a device authentication failure", not the status's name.
const (
	authOTPRequired       = "OTP_REQUIRED"
	authSelectionRequired = "DEVICE_SELECTION_REQUIRED"
	authCompleted         = "COMPLETED"
	authFailed            = "FAILED"
)

// The device selection settings of a device authentication policy (Options.DeviceSelection).
const (
	SelectDefaultToFirst       = "DEFAULT_TO_FIRST"
	SelectPromptToSelect       = "PROMPT_TO_SELECT"
	SelectAlwaysDisplayDevices = "ALWAYS_DISPLAY_DEVICES"
)

type deviceAuth struct {
	ID        string
	UserID    string
	PolicyID  string
	Status    string
	DeviceID  string // the selected device, "" before selection or for a one-time target
	OneTime   string // a one-time email address, "" for a user's device
	OTP       string
	OTPExpiry time.Time
	Failures  int
	Expiry    time.Time
	ErrCode   string
	ErrMsg    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// usableDevices lists the user's devices a code may be sent to: ACTIVE, neither blocked nor
// locked. UNVERIFIED: whether PingOne lists locked or blocked devices in _embedded.devices; the
// emulator leaves them out, so that what is listed can be selected. s.mu is held.
func (s *Server) usableDevices(userID string) []*device {
	var out []*device
	for _, d := range s.devices[userID] {
		if d.Status == "ACTIVE" && !d.Blocked && !s.now().Before(d.LockedTil) {
			out = append(out, d)
		}
	}
	return out
}

// maskPhone keeps the country code's "+" and the last four digits. UNVERIFIED: PingOne's mask
// for phones; for email its example shows "ab****@ping.com".
func maskPhone(p string) string {
	if len(p) <= 5 {
		return p
	}
	return p[:1] + strings.Repeat("*", len(p)-5) + p[len(p)-4:]
}

func maskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok {
		return e
	}
	keep := min(2, len(local))
	return local[:keep] + "****@" + domain
}

func (s *Server) deviceAuthURL(id string) string {
	return s.url + "/" + s.envID + "/deviceAuthentications/" + id
}

// deviceAuthJSON writes a device authentication as the reference's examples do. s.mu is held.
func (s *Server) deviceAuthJSON(a *deviceAuth) map[string]any {
	self := map[string]string{"href": s.deviceAuthURL(a.ID)}
	links := map[string]any{"self": self}
	devices := []map[string]any{}
	var selected map[string]any
	switch {
	case a.OneTime != "":
		devices = append(devices, map[string]any{"type": "EMAIL", "email": maskEmail(a.OneTime)})
		selected = map[string]any{"oneTime": map[string]string{"type": "EMAIL", "email": maskEmail(a.OneTime)}}
	default:
		for _, d := range s.usableDevices(a.UserID) {
			devices = append(devices, map[string]any{"id": d.ID, "type": d.Type, "status": d.Status, "phone": maskPhone(d.Phone)})
		}
		if a.DeviceID != "" {
			selected = map[string]any{"id": a.DeviceID}
		}
	}
	switch a.Status {
	case authOTPRequired:
		links["otp.check"] = self
		links["device.select"] = self
	case authSelectionRequired:
		links["device.select"] = self
	}
	m := map[string]any{
		"_links":      links,
		"_embedded":   map[string]any{"devices": devices},
		"id":          a.ID,
		"environment": map[string]string{"id": s.envID},
		"user":        map[string]string{"id": a.UserID},
		"policy":      map[string]string{"id": a.PolicyID},
		"status":      a.Status,
		"createdAt":   a.CreatedAt.UTC().Format(timeFormat),
		"updatedAt":   a.UpdatedAt.UTC().Format(timeFormat),
		// UNVERIFIED: expiresAt is not in the reference's data model; the emulator says when
		// the authentication ends so that a caller can tell a person. Clients must not need it.
		"expiresAt": a.Expiry.UTC().Format(timeFormat),
	}
	if selected != nil {
		m["selectedDevice"] = selected
	}
	if a.ErrCode != "" {
		m["error"] = map[string]string{"code": a.ErrCode, "message": a.ErrMsg}
	}
	return m
}

// sendAuthCode sets a new code on a and sends it to the selected device or one-time address.
// s.mu is held.
func (s *Server) sendAuthCode(a *deviceAuth) {
	p := s.newPasscode(s.defaultPolicy().SMS)
	a.OTP, a.OTPExpiry = p.code, p.expiry
	if a.OneTime != "" {
		s.emails = append(s.emails, Email{To: a.OneTime, Subject: "Your passcode", Text: p.text, Code: p.code, SentAt: p.sentAt})
		return
	}
	if d := s.userDevice(a.UserID, a.DeviceID); d != nil {
		s.outbox = append(s.outbox, p.sms(d.Phone))
	}
}

// createDeviceAuth answers POST {auth}/{envID}/deviceAuthentications.
func (s *Server) createDeviceAuth(w http.ResponseWriter, r *http.Request) {
	var in struct {
		User *struct {
			ID string `json:"id"`
		} `json:"user"`
		SelectedDevice *struct {
			ID      string `json:"id"`
			OneTime *struct {
				Type  string `json:"type"`
				Email string `json:"email"`
				Phone string `json:"phone"`
			} `json:"oneTime"`
		} `json:"selectedDevice"`
	}
	if !decodeBody(w, r, "application/json", &in) || missing(w, "user.id", in.User == nil || in.User.ID == "") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[in.User.ID]
	if u == nil {
		// UNVERIFIED: PingOne's answer for an unknown user ID in the body.
		invalid(w, "INVALID_VALUE", "user.id", "The user was not found.")
		return
	}
	now := s.now()
	a := &deviceAuth{ID: uuid.NewString(), UserID: u.ID, PolicyID: s.authPolicyID(), CreatedAt: now, UpdatedAt: now,
		// UNVERIFIED: how long PingOne keeps a device authentication; the emulator keeps it
		// as long as a code lives (sms.otp.lifeTime).
		Expiry: now.Add(s.defaultPolicy().SMS.OTPLifetime)}
	var started bool
	if sd := in.SelectedDevice; sd != nil && sd.OneTime != nil {
		started = s.startOneTime(w, a, sd.OneTime.Type, sd.OneTime.Email)
	} else {
		deviceID := ""
		if sd != nil {
			deviceID = sd.ID
		}
		started = s.startOnDevice(w, a, deviceID)
	}
	if !started {
		return
	}
	s.deviceAuths[a.ID] = a
	w.Header().Set("Location", s.deviceAuthURL(a.ID))
	writeJSON(w, http.StatusCreated, s.deviceAuthJSON(a))
}

// startOneTime sends a's code to a one-time email address; it answers the refusal itself, and
// reports false, when the target is not one the emulator serves. s.mu is held.
func (s *Server) startOneTime(w http.ResponseWriter, a *deviceAuth, typ, email string) bool {
	if typ != "EMAIL" {
		// PingOne also documents one-time SMS and voice targets; the emulator serves email
		// only, the one the portal uses.
		invalid(w, "INVALID_VALUE", "selectedDevice.oneTime.type", "The emulator supports one-time EMAIL targets only.")
		return false
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email {
		invalid(w, "INVALID_VALUE", "selectedDevice.oneTime.email", "The email address is not valid.")
		return false
	}
	a.OneTime, a.Status = addr.Address, authOTPRequired
	s.sendAuthCode(a)
	return true
}

// startOnDevice selects the user's device deviceID, or ("") the default device when the
// policy's device selection says so, and texts it the code; otherwise a waits for a selection.
// It answers the refusal itself, and reports false, when the user has no usable device or
// deviceID cannot be selected. s.mu is held.
func (s *Server) startOnDevice(w http.ResponseWriter, a *deviceAuth, deviceID string) bool {
	usable := s.usableDevices(a.UserID)
	if len(usable) == 0 {
		// UNVERIFIED: PingOne's answer for a user with no device a code can go to.
		writeErrorDetails(w, http.StatusBadRequest, "REQUEST_FAILED", "The user has no device that can be used for authentication.",
			detail{Code: "INVALID_VALUE", Target: "user.id", Message: "The user has no usable MFA device."})
		return false
	}
	if deviceID != "" {
		d := s.userDevice(a.UserID, deviceID)
		if !s.selectable(w, d) {
			return false
		}
		a.DeviceID = d.ID
	} else if s.opts.DeviceSelection == SelectDefaultToFirst || (s.opts.DeviceSelection == SelectPromptToSelect && len(usable) == 1) {
		// The default device is the first in the user's order.
		a.DeviceID = usable[0].ID
	}
	if a.DeviceID != "" {
		a.Status = authOTPRequired
		s.sendAuthCode(a)
	} else {
		a.Status = authSelectionRequired
	}
	return true
}

// authPolicyID is the ID of the environment's default device authentication policy, the one
// device authentications run under. s.mu is held.
func (s *Server) authPolicyID() string { return s.defaultPolicy().ID }

// selectable answers the refusal itself when d cannot be selected: not the user's (which is
// how one user's authentication cannot be turned to another user's phone), not active,
// blocked or locked. s.mu is held.
func (s *Server) selectable(w http.ResponseWriter, d *device) bool {
	switch {
	case d == nil:
		// UNVERIFIED: the answer for a device that is not the user's.
		invalid(w, "INVALID_VALUE", "device.id", "The device was not found for this user.")
	case d.Status != "ACTIVE":
		invalid(w, "INVALID_VALUE", "device.id", "The device is not active.")
	case d.Blocked:
		// UNVERIFIED: PingOne documents that a blocked device cannot be used to authenticate,
		// not the answer.
		writeErrorDetails(w, http.StatusBadRequest, "REQUEST_FAILED", "The device is blocked.",
			detail{Code: "INVALID_VALUE", Target: "device.id", Message: "The device is blocked."})
	case s.now().Before(d.LockedTil):
		lockedError(w)
	default:
		return true
	}
	return false
}

// lookupDeviceAuth finds the authentication named in the path, answering 404 itself for an
// unknown or expired one. UNVERIFIED: PingOne's answer for an expired one; the emulator forgets
// it, as PingOne's sign-on flows are gone after they expire. s.mu is held.
func (s *Server) lookupDeviceAuth(w http.ResponseWriter, r *http.Request) *deviceAuth {
	a := s.deviceAuths[r.PathValue("daid")]
	if a != nil && !s.now().Before(a.Expiry) {
		delete(s.deviceAuths, a.ID)
		a = nil
	}
	if a == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested device authentication was not found.")
	}
	return a
}

func (s *Server) getDeviceAuth(w http.ResponseWriter, r *http.Request) {
	s.withDeviceAuth(w, r, func(a *deviceAuth) { writeJSON(w, http.StatusOK, s.deviceAuthJSON(a)) })
}

// withDeviceAuth runs f with the request's device authentication, holding s.mu; when there is
// no such authentication, or it has expired, it answers 404 instead.
func (s *Server) withDeviceAuth(w http.ResponseWriter, r *http.Request, f func(a *deviceAuth)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.lookupDeviceAuth(w, r); a != nil {
		f(a)
	}
}
