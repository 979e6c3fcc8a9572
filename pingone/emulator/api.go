package emulator

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

type detail struct {
	Code       string         `json:"code"`
	Target     string         `json:"target,omitempty"`
	Message    string         `json:"message"`
	InnerError map[string]any `json:"innerError,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeErrorDetails(w, status, code, msg)
}

func writeErrorDetails(w http.ResponseWriter, status int, code, msg string, details ...detail) {
	body := map[string]any{"id": uuid.NewString(), "code": code, "message": msg}
	if len(details) > 0 {
		body["details"] = details
	}
	writeJSON(w, status, body)
}

func invalid(w http.ResponseWriter, dcode, target, msg string) {
	writeErrorDetails(w, http.StatusBadRequest, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
		detail{Code: dcode, Target: target, Message: msg})
}

// missing answers PingOne's REQUIRED_VALUE for field when absent is true, and reports whether
// it did.
func missing(w http.ResponseWriter, field string, absent bool) bool {
	if absent {
		invalid(w, "REQUIRED_VALUE", field, field+" is required")
	}
	return absent
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return strings.ToLower(mt)
}

// api wraps a management API handler with the bearer-token check: 401 for a missing, forged,
// expired or revoked token, 403 for a token without the admin role.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		var t *accessToken
		if ok {
			t = s.validAccessToken(strings.TrimSpace(raw))
		}
		var app *App
		if t != nil {
			s.mu.Lock()
			app = s.apps[t.ClientID]
			s.mu.Unlock()
		}
		switch {
		case t == nil:
			writeErrorDetails(w, http.StatusUnauthorized, "ACCESS_FAILED", "The request could not be completed. The access token is invalid or has expired.",
				detail{Code: "INVALID_TOKEN", Message: "The access token is invalid or has expired."})
			return
		case app == nil || !app.Worker || !app.Roles:
			writeErrorDetails(w, http.StatusForbidden, "ACCESS_FAILED", "The request could not be completed. You do not have access to this resource.",
				detail{Code: "INSUFFICIENT_PERMISSIONS", Message: "The actor attempting to perform the request does not have the required role."})
			return
		}
		h(w, r)
	}
}

// decodeBody reads a JSON body of the wanted media type, answering 415 or 400 itself.
func decodeBody(w http.ResponseWriter, r *http.Request, wantType string, v any) bool {
	if mediaType(r.Header.Get("Content-Type")) != wantType {
		writeError(w, http.StatusUnsupportedMediaType, "INVALID_REQUEST", "The request content type is not supported.")
		return false
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(strings.TrimSpace(string(data))) == 0 && v == nil {
		return true
	}
	if err != nil || json.Unmarshal(data, v) != nil {
		writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "The request body could not be read as JSON.")
		return false
	}
	return true
}

func (s *Server) apiURL(path string) string {
	return s.APIBase() + "/environments/" + s.envID + path
}

func (s *Server) userJSON(u *user, withGroups bool) map[string]any {
	m := map[string]any{
		"_links":      map[string]any{"self": map[string]string{"href": s.apiURL("/users/" + u.ID)}},
		"id":          u.ID,
		"environment": map[string]string{"id": s.envID},
		"population":  map[string]string{"id": u.Population},
		"username":    u.Username,
		"enabled":     u.Enabled,
		"mfaEnabled":  u.MFAEnabled,
		"createdAt":   u.CreatedAt.UTC().Format(timeFormat),
	}
	if u.Email != "" {
		m["email"] = u.Email
	}
	if u.Country != "" {
		m["address"] = map[string]string{"countryCode": u.Country}
	}
	if !u.LastSignOn.IsZero() {
		m["lastSignOn"] = map[string]string{"at": u.LastSignOn.UTC().Format(timeFormat)}
	}
	if u.PreferredLanguage != "" {
		m["preferredLanguage"] = u.PreferredLanguage
	}
	if u.Locale != "" {
		m["locale"] = u.Locale
	}
	// PingOne leaves out empty name parts (each has a minimum length of 1).
	name := map[string]string{}
	for k, v := range map[string]string{"given": u.Given, "family": u.Family, "formatted": strings.TrimSpace(u.Given + " " + u.Family)} {
		if v != "" {
			name[k] = v
		}
	}
	if len(name) > 0 {
		m["name"] = name
	}
	if withGroups {
		// PingOne lists memberOfGroupIDs as plain IDs.
		m["memberOfGroupIDs"] = append([]string{}, u.Groups...)
	}
	return m
}

func (s *Server) lookupUser(w http.ResponseWriter, r *http.Request) *user {
	u := s.users[r.PathValue("uid")]
	if u == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested user was not found.")
	}
	return u
}

// withUser runs f with the request's user, holding s.mu; when there is no such user it
// answers 404 instead.
func (s *Server) withUser(w http.ResponseWriter, r *http.Request, f func(u *user)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.lookupUser(w, r); u != nil {
		f(u)
	}
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *user) {
		withGroups := slices.Contains(strings.Split(r.URL.Query().Get("include"), ","), "memberOfGroupIDs")
		writeJSON(w, http.StatusOK, s.userJSON(u, withGroups))
	})
}

func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f filterExpr
	if fs := q.Get("filter"); fs != "" {
		var err error
		if f, err = parseFilter(fs); err != nil {
			invalid(w, "INVALID_FILTER", "filter", err.Error())
			return
		}
	}
	limit := 100
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 {
		limit = min(l, 1000)
	}
	offset, _ := strconv.Atoi(q.Get("cursor"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*user
	for _, u := range s.users {
		if f == nil || f.match(u) {
			matched = append(matched, u)
		}
	}
	slices.SortFunc(matched, func(a, b *user) int { return strings.Compare(a.Username, b.Username) })
	offset = max(0, min(offset, len(matched)))
	page := matched[offset:min(offset+limit, len(matched))]
	users := make([]map[string]any, 0, len(page))
	for _, u := range page {
		users = append(users, s.userJSON(u, false))
	}
	links := map[string]any{"self": map[string]string{"href": s.apiURL("/users?" + q.Encode())}}
	if offset+limit < len(matched) {
		nq := r.URL.Query()
		nq.Set("cursor", strconv.Itoa(offset+limit))
		links["next"] = map[string]string{"href": s.apiURL("/users?" + nq.Encode())}
	}
	writeJSON(w, http.StatusOK, map[string]any{"_links": links, "_embedded": map[string]any{"users": users},
		"count": len(matched), "size": len(page)})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username   string `json:"username"`
		Email      string `json:"email"`
		Name       struct{ Given, Family string }
		Population *ref  `json:"population"`
		Enabled    *bool `json:"enabled"`
	}
	if !decodeBody(w, r, "application/json", &in) || missing(w, "username", strings.TrimSpace(in.Username) == "") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if strings.EqualFold(u.Username, in.Username) {
			invalid(w, "UNIQUENESS_VIOLATION", "username", "username must be unique")
			return
		}
	}
	pop := s.populationID
	if in.Population != nil && in.Population.ID != "" {
		// UNVERIFIED: the emulator has one population; another ID is accepted as given.
		pop = in.Population.ID
	}
	u := &user{ID: uuid.NewString(), Username: in.Username, Email: in.Email, Given: in.Name.Given, Family: in.Name.Family,
		Enabled: in.Enabled == nil || *in.Enabled, Population: pop, CreatedAt: s.now()}
	s.users[u.ID] = u
	writeJSON(w, http.StatusCreated, s.userJSON(u, false))
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Value       string `json:"value"`
		ForceChange bool   `json:"forceChange"`
	}
	if !decodeBody(w, r, "application/vnd.pingidentity.password.set+json", &in) || missing(w, "value", in.Value == "") {
		return
	}
	s.withUser(w, r, func(u *user) {
		u.Password = in.Value
		writeJSON(w, http.StatusOK, map[string]any{"status": "OK", "lastChangedAt": s.now().UTC().Format("2006-01-02T15:04:05.000Z")})
	})
}

// ref is how PingOne names another resource in a request: {"id": "..."}.
type ref struct {
	ID string `json:"id"`
}

func (s *Server) addToGroup(w http.ResponseWriter, r *http.Request) {
	var in ref
	if !decodeBody(w, r, "application/json", &in) {
		return
	}
	s.withUser(w, r, func(u *user) {
		if s.groups[in.ID] == nil {
			invalid(w, "INVALID_VALUE", "id", "group not found")
			return
		}
		if !slices.Contains(u.Groups, in.ID) {
			u.Groups = append(u.Groups, in.ID)
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": in.ID})
	})
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if !decodeBody(w, r, "application/json", &in) || missing(w, "name", in.Name == "") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &Group{ID: uuid.NewString(), Name: in.Name}
	s.groups[g.ID] = g
	writeJSON(w, http.StatusCreated, g)
}

func (s *Server) setMFAEnabled(w http.ResponseWriter, r *http.Request) {
	var in struct {
		MFAEnabled *bool `json:"mfaEnabled"`
	}
	if !decodeBody(w, r, "application/json", &in) || missing(w, "mfaEnabled", in.MFAEnabled == nil) {
		return
	}
	s.withUser(w, r, func(u *user) {
		u.MFAEnabled = *in.MFAEnabled
		writeJSON(w, http.StatusOK, map[string]any{"mfaEnabled": u.MFAEnabled})
	})
}

// e164 reduces a number to E.164 when it is one PingOne accepts, and leaves it as given
// otherwise (seeded numbers are the caller's business).
func e164(p string) string {
	if v := validPhone(p); v != "" {
		return v
	}
	return p
}

const timeFormat = "2006-01-02T15:04:05.000Z"

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
		return
	}
	switch {
	case missing(w, "type", in.Type == ""):
		return
	case in.Type != "SMS":
		// The emulator knows SMS devices only; PingOne's other types are out of the portal's scope.
		invalid(w, "INVALID_VALUE", "type", "unsupported device type")
		return
	}
	phone := validPhone(in.Phone)
	if missing(w, "phone", in.Phone == "") {
		return
	}
	if phone == "" {
		invalid(w, "INVALID_VALUE", "phone", "phone must be in international format with a leading +")
		return
	}
	status := in.Status
	switch status {
	case "":
		// A worker app creating a device on a user's behalf gets ACTIVE by default (the seed).
		status = "ACTIVE"
	case "ACTIVE", "ACTIVATION_REQUIRED":
	default:
		invalid(w, "INVALID_VALUE", "status", "status must be ACTIVE or ACTIVATION_REQUIRED")
		return
	}
	s.withUser(w, r, func(u *user) {
		pol := s.defaultPolicy()
		if in.Policy != nil && in.Policy.ID != "" {
			if pol = s.policyByID(in.Policy.ID); pol == nil {
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
		d := &device{ID: uuid.NewString(), UserID: u.ID, Type: "SMS", Status: status, Phone: phone, Nickname: in.Nickname,
			PolicyID: pol.ID, CreatedAt: now, UpdatedAt: now}
		if status == "ACTIVATION_REQUIRED" {
			s.sendCode(d)
		} else {
			s.notifyNewDevice(u, d)
		}
		s.devices[u.ID] = append(s.devices[u.ID], d)
		s.record(r, u.ID, ActivityDeviceAdded, "Device "+maskTail(d.Phone)+" created", "SUCCESS")
		writeJSON(w, http.StatusCreated, s.deviceJSON(d))
	})
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

// notifyNewDevice tells the user a method was added, as the device policy's
// newDeviceNotification says: by email when they have an address and SMS otherwise
// (EMAIL_THEN_SMS), the other way round (SMS_THEN_EMAIL), or not at all. PingOne's text is
// its localised new_device_paired template; this one says the same in English. s.mu is held.
func (s *Server) notifyNewDevice(u *user, d *device) {
	now := s.now().UTC()
	text := "A new sign-in method was added to your account: SMS to the phone ending " + maskTail(d.Phone) +
		". If this was not you, contact your help desk."
	email := func() {
		s.emails = append(s.emails, Email{To: u.Email, Subject: "New sign-in method added", Text: text, SentAt: now})
	}
	sms := func() { s.outbox = append(s.outbox, SMS{To: d.Phone, Text: text, SentAt: now}) }
	switch s.opts.NewDeviceNotification {
	case NotifyEmailThenSMS:
		if u.Email != "" {
			email()
		} else {
			sms()
		}
	case NotifySMSThenEmail:
		if d.Phone != "" {
			sms()
		} else if u.Email != "" {
			email()
		}
	}
}

// passcode is a one-time passcode the emulator sends: the code, when it expires, when it was
// sent and the message that carries it.
type passcode struct {
	code           string
	expiry, sentAt time.Time
	text           string
}

// newPasscode makes a passcode of the policy's length and lifetime, sent now.
func (s *Server) newPasscode(p SMSPolicy) passcode {
	now := s.now()
	code := randomDigits(p.OTPLength)
	return passcode{code: code, expiry: now.Add(p.OTPLifetime), sentAt: now.UTC(),
		text: "Your passcode is " + code + ". It expires in " + strconv.Itoa(int(p.OTPLifetime.Minutes())) + " minutes."}
}

// sms is the text message that carries p to the number to.
func (p passcode) sms(to string) SMS {
	return SMS{To: to, Code: p.code, SentAt: p.sentAt, Text: p.text}
}

// maskTail shows only a phone number's last four digits, as PingOne's messages and pages do.
func maskTail(phone string) string {
	if len(phone) > 4 {
		return "•••" + phone[len(phone)-4:]
	}
	return phone
}

// sendCode sets a new pairing code on d and "texts" it; s.mu is held.
func (s *Server) sendCode(d *device) {
	p := s.newPasscode(s.policyOf(d).SMS)
	d.OTP, d.OTPExpiry, d.Failures = p.code, p.expiry, 0
	s.outbox = append(s.outbox, p.sms(d.Phone))
}

func randomDigits(n int) string {
	b := []byte(randomToken(n))
	out := make([]byte, n)
	for i := range out {
		out[i] = '0' + b[i]%10
	}
	return string(out)
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

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	g := s.groups[r.PathValue("gid")]
	s.mu.Unlock()
	if g == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested group was not found.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_links":      map[string]any{"self": map[string]string{"href": s.apiURL("/groups/" + g.ID)}},
		"id":          g.ID,
		"name":        g.Name,
		"environment": map[string]string{"id": s.envID},
	})
}

// mfaSettingsJSON writes the settings in mfa.yaml's MFASettings shape. s.mu is held.
func (s *Server) mfaSettingsJSON() map[string]any {
	st := s.settings
	return map[string]any{
		"_links":          map[string]any{"self": map[string]string{"href": s.apiURL("/mfaSettings")}},
		"environment":     map[string]string{"id": s.envID},
		"pairing":         map[string]any{"maxAllowedDevices": st.MaxAllowedDevices, "pairingKeyFormat": st.PairingKeyFormat},
		"lockout":         map[string]any{"failureCount": st.LockoutCount, "durationSeconds": int(st.LockoutDuration / time.Second)},
		"phoneExtensions": map[string]any{"enabled": false},
		"updatedAt":       st.UpdatedAt.UTC().Format(timeFormat),
	}
}

func (s *Server) getMFASettings(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.mfaSettingsJSON())
}

// putMFASettings replaces the settings the portal depends on; PingOne's PUT replaces the
// whole object, and pairing is required.
func (s *Server) putMFASettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Pairing *struct {
			MaxAllowedDevices *int   `json:"maxAllowedDevices"`
			PairingKeyFormat  string `json:"pairingKeyFormat"`
		} `json:"pairing"`
		Lockout *struct {
			FailureCount    *int `json:"failureCount"`
			DurationSeconds int  `json:"durationSeconds"`
		} `json:"lockout"`
	}
	if !decodeBody(w, r, "application/json", &in) {
		return
	}
	switch {
	case missing(w, "pairing.maxAllowedDevices", in.Pairing == nil || in.Pairing.MaxAllowedDevices == nil):
		return
	case *in.Pairing.MaxAllowedDevices < 1 || *in.Pairing.MaxAllowedDevices > 15:
		invalid(w, "OUT_OF_RANGE", "pairing.maxAllowedDevices", "maxAllowedDevices must be between 1 and 15")
		return
	case in.Pairing.PairingKeyFormat != "" && in.Pairing.PairingKeyFormat != "NUMERIC" && in.Pairing.PairingKeyFormat != "ALPHANUMERIC":
		invalid(w, "INVALID_VALUE", "pairing.pairingKeyFormat", "pairingKeyFormat must be NUMERIC or ALPHANUMERIC")
		return
	case in.Lockout != nil && (in.Lockout.FailureCount == nil || *in.Lockout.FailureCount < 1 || in.Lockout.DurationSeconds < 0):
		invalid(w, "INVALID_VALUE", "lockout", "lockout needs a positive failureCount and a non-negative durationSeconds")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings.MaxAllowedDevices = *in.Pairing.MaxAllowedDevices
	if in.Pairing.PairingKeyFormat != "" {
		s.settings.PairingKeyFormat = in.Pairing.PairingKeyFormat
	}
	if in.Lockout != nil {
		s.settings.LockoutCount = *in.Lockout.FailureCount
		s.settings.LockoutDuration = time.Duration(in.Lockout.DurationSeconds) * time.Second
	}
	s.settings.UpdatedAt = s.now()
	writeJSON(w, http.StatusOK, s.mfaSettingsJSON())
}
