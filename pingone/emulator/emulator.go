// Package pingonetest is a PingOne emulator: an OpenID Provider and the management API's user
// and MFA-device calls, answering on a loopback port in PingOne's URL layout, with an SMS
// outbox instead of a phone network and faults on demand. Tests and the portal's demo mode use
// it; nothing in it reaches the real PingOne.
//
// For tests it also has Start (an emulator closed when the test ends), WorkerToken, and Clock,
// a settable clock that tests of other packages (limits, the store) use as well.
//
// Where PingOne's behaviour is not documented, the emulator picks the documented-nearest
// behaviour, and a comment marked UNVERIFIED says so.
package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Options configures a Server; the zero value is PingOne's defaults.
type Options struct {
	// EnvironmentID is the environment's ID; empty means a new UUID.
	EnvironmentID string
	// Addr is the listen address; empty means 127.0.0.1 on a free port.
	Addr string
	// DeviceLimit is mfaSettings.pairing.maxAllowedDevices: how many ACTIVE or BLOCKED
	// devices a user may have; default 5, 1 to 15.
	DeviceLimit int
	// OTPLength is the SMS code's length, sms.otp.otpLength of the device authentication
	// policy: default 6, 6 to 10.
	OTPLength int
	// OTPLifetime is how long a pairing code can be used, sms.otp.lifeTime: default 30 minutes.
	OTPLifetime time.Duration
	// OTPMaxFailures is sms.otp.failure.count: wrong entries of one code before it is void
	// (a new one must be sent): default 3.
	OTPMaxFailures int
	// OTPCoolDown is sms.otp.failure.coolDown: how long after OTPMaxFailures wrong entries no
	// new code may be sent or tried: default 0.
	OTPCoolDown time.Duration
	// SMSDisabled and SMSPairingDisabled start the default device authentication policy with
	// SMS off (sms.enabled false) or its pairing disabled (sms.pairingDisabled); SetSMSPolicy
	// changes them later.
	SMSDisabled, SMSPairingDisabled bool
	// LockoutFailureCount is mfaSettings.lockout.failureCount: wrong codes, in a row, that
	// lock the device. 0 means OTPMaxFailures. UNVERIFIED: PingOne's default is not in its
	// published descriptions; locking with the code's own failure count is the behaviour the
	// portal has been tested against.
	LockoutFailureCount int
	// LockDuration is mfaSettings.lockout.durationSeconds: how long a device stays locked:
	// default 30 minutes (UNVERIFIED, as LockoutFailureCount).
	LockDuration time.Duration
	// NewDeviceNotification is the device policy's newDeviceNotification: NONE,
	// EMAIL_THEN_SMS (the default) or SMS_THEN_EMAIL. When a device becomes ACTIVE the user is
	// told, by email if they have an address and SMS otherwise (or the other way round).
	NewDeviceNotification string
	// LockedAnswersWrongCode makes a locked device answer a code with the generic wrong-code
	// error (400 INVALID_DATA / INVALID_OTP) instead of REQUEST_FAILED / DEVICE_LOCKED, as
	// PingOne may (its answer is UNVERIFIED): the caller learns of the lock only by reading
	// the device.
	LockedAnswersWrongCode bool
	// DeviceSelection is the device authentication policy's authentication.deviceSelection:
	// DEFAULT_TO_FIRST (PingOne's default: a device authentication texts the user's default
	// device at once), PROMPT_TO_SELECT (the caller selects when there is more than one) or
	// ALWAYS_DISPLAY_DEVICES (the caller always selects).
	DeviceSelection string
	// TokenLifetime is the lifetime of access tokens: default 1 hour.
	TokenLifetime time.Duration
	// MFAPolicies are the sign-on policies (acr_values) that ask for a code texted to the
	// user's default active SMS device after the password: default Multi_Factor.
	MFAPolicies []string
	// SkipSecondFactor makes the MFA policies let people through after the password alone, as
	// a PingOne policy with a skip condition (or one that lets users without a device through)
	// does: acr still names the MFA policy, amr says ["pwd"]. Tests of the portal's amr check.
	SkipSecondFactor bool
	// OmitAuthTime leaves auth_time out of ID tokens, as a provider that does not send it
	// (tests of the portal's refusal to take iat, always fresh, as the time of sign-in).
	OmitAuthTime bool
	// ForceACR, when set, is the acr of every sign-in whatever was asked: a tenant whose
	// sign-on policy is not what the portal was told (tests of the portal's acr check).
	ForceACR string
	// Logger receives a line per request; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// The values of Options.NewDeviceNotification, as PingOne's device policy writes them.
const (
	NotifyNone         = "NONE"
	NotifyEmailThenSMS = "EMAIL_THEN_SMS"
	NotifySMSThenEmail = "SMS_THEN_EMAIL"
)

// Server is a running emulator.
type Server struct {
	opts  Options
	envID string
	hs    *httptest.Server
	url   string
	log   *slog.Logger

	mu            sync.Mutex
	populationID  string
	users         map[string]*user
	groups        map[string]*Group
	apps          map[string]*App
	devices       map[string][]*device // by user ID, in order (default first)
	flows         map[string]*authRequest
	codes         map[string]*authCode
	tokens        map[string]*accessToken
	sessions      map[string]*ssoSession
	deviceAuths   map[string]*deviceAuth
	policies      []*devicePolicy
	outbox        []SMS
	emails        []Email
	settings      mfaSettings
	faults        []*Fault
	calls         map[string]int
	tokenRequests int
	keys          []*signingKey
	latency       time.Duration
	failRate      float64
	failStatus    int
	// activities is the audit log (activities.go), oldest first.
	activities []activity
}

type user struct {
	ID         string
	Username   string
	Email      string
	Given      string
	Family     string
	Password   string
	Enabled    bool
	MFAEnabled bool
	Population string
	Groups     []string
	Country    string
	CreatedAt  time.Time
	// PreferredLanguage and Locale are the profile's languages (BCP 47 tags), "" when unset.
	PreferredLanguage, Locale string
	// BypassUntil is the end of the user's MFA bypass (bypassMFA); zero or past: none.
	BypassUntil time.Time
	// LastSignOn is when the user last signed in through PingOne (zero: never), PingOne's
	// read-only lastSignOn.at.
	LastSignOn time.Time
}

// Group is a PingOne group.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// App is an application registered in the environment: a worker (client credentials) or a
// web application (authorization code).
type App struct {
	ClientID     string
	ClientSecret string
	// Worker apps get client-credentials tokens; Roles says whether the worker holds the
	// Identity Data Admin role (without it the management API answers 403).
	Worker bool
	Roles  bool
	// TokenAuthMethod is the app's token endpoint authentication method:
	// "client_secret_basic" (the default when empty) or "client_secret_post". The token
	// endpoint refuses the other with invalid_client, as PingOne does.
	TokenAuthMethod string
	// RedirectURIs and PostLogoutRedirectURIs are the web app's registered URIs.
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
}

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

// accessToken is what the emulator remembers of an access token it issued (a JWT), by its
// jti: enough to refuse it once it has been made to expire.
type accessToken struct {
	ClientID string
	Subject  string // user ID for user tokens, "" for workers
	Scope    string
	Expiry   time.Time
}

// Email is one email the emulator "sent": PingOne's notice of a new method, or a passcode for
// a device authentication to a one-time email address.
type Email struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Code is the passcode the email carries, "" for a notice.
	Code   string    `json:"code,omitempty"`
	SentAt time.Time `json:"sentAt"`
}

// mfaSettings is the environment's MFA settings, as GET .../mfaSettings answers them.
type mfaSettings struct {
	MaxAllowedDevices int
	PairingKeyFormat  string
	LockoutCount      int
	LockoutDuration   time.Duration
	UpdatedAt         time.Time
}

// SMS is one text the emulator "sent".
type SMS struct {
	To     string    `json:"to"`
	Text   string    `json:"text"`
	Code   string    `json:"code"`
	SentAt time.Time `json:"sentAt"`
}

// New starts an emulator on a loopback port. Close it when done.
func New(opts Options) (*Server, error) {
	if opts.EnvironmentID == "" {
		opts.EnvironmentID = uuid.NewString()
	}
	if opts.DeviceLimit <= 0 {
		opts.DeviceLimit = 5
	}
	opts.DeviceLimit = min(opts.DeviceLimit, 15)
	sms, err := SMSPolicy{Disabled: opts.SMSDisabled, PairingDisabled: opts.SMSPairingDisabled, OTPLength: opts.OTPLength,
		OTPLifetime: opts.OTPLifetime, OTPMaxFailures: opts.OTPMaxFailures, OTPCoolDown: opts.OTPCoolDown}.normalized()
	if err != nil {
		return nil, err
	}
	opts.OTPLength, opts.OTPLifetime, opts.OTPMaxFailures, opts.OTPCoolDown = sms.OTPLength, sms.OTPLifetime, sms.OTPMaxFailures, sms.OTPCoolDown
	if opts.LockoutFailureCount <= 0 {
		opts.LockoutFailureCount = opts.OTPMaxFailures
	}
	if opts.LockDuration <= 0 {
		opts.LockDuration = 30 * time.Minute
	}
	if err := defaultOrOneOf(&opts.NewDeviceNotification, "newDeviceNotification", NotifyEmailThenSMS, NotifyNone, NotifyEmailThenSMS, NotifySMSThenEmail); err != nil {
		return nil, err
	}
	if err := defaultOrOneOf(&opts.DeviceSelection, "deviceSelection", SelectDefaultToFirst, SelectDefaultToFirst, SelectPromptToSelect, SelectAlwaysDisplayDevices); err != nil {
		return nil, err
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MFAPolicies == nil {
		opts.MFAPolicies = []string{"Multi_Factor"}
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		opts:         opts,
		envID:        opts.EnvironmentID,
		log:          log,
		populationID: uuid.NewString(),
		users:        map[string]*user{},
		groups:       map[string]*Group{},
		apps:         map[string]*App{},
		devices:      map[string][]*device{},
		flows:        map[string]*authRequest{},
		codes:        map[string]*authCode{},
		tokens:       map[string]*accessToken{},
		sessions:     map[string]*ssoSession{},
		deviceAuths:  map[string]*deviceAuth{},
		calls:        map[string]int{},
	}
	s.policies = []*devicePolicy{{ID: uuid.NewString(), Name: "Default MFA Policy", Default: true, SMS: sms, UpdatedAt: opts.Now()}}
	s.settings = mfaSettings{MaxAllowedDevices: opts.DeviceLimit, PairingKeyFormat: "NUMERIC",
		LockoutCount: opts.LockoutFailureCount, LockoutDuration: opts.LockDuration, UpdatedAt: opts.Now()}
	if err := s.RotateSigningKey(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("pingonetest: listen: %w", err)
	}
	s.hs = httptest.NewUnstartedServer(s.routes())
	s.hs.Listener.Close()
	s.hs.Listener = ln
	s.hs.Start()
	s.url = s.hs.URL
	return s, nil
}

// Close stops the emulator.
func (s *Server) Close() { s.hs.Close() }

// URL returns the emulator's origin, such as http://127.0.0.1:41234.
func (s *Server) URL() string { return s.url }

// AuthBase returns the auth base in PingOne's layout ({auth}/{envID}/as/...).
func (s *Server) AuthBase() string { return s.url }

// APIBase returns the management API base in PingOne's layout ({api}/environments/...).
func (s *Server) APIBase() string { return s.url + "/v1" }

// Issuer returns the OpenID Provider's issuer.
func (s *Server) Issuer() string { return s.url + "/" + s.envID + "/as" }

// EnvironmentID returns the environment's ID.
func (s *Server) EnvironmentID() string { return s.envID }

// PopulationID returns the environment's default population.
func (s *Server) PopulationID() string { return s.populationID }

func (s *Server) now() time.Time { return s.opts.Now() }

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SeedUser describes a user to create.
type SeedUser struct {
	Username, Email, Given, Family, Password string
	// Country is the address's countryCode in the directory ("" for none).
	Country string
	// Disabled users cannot sign in and read as enabled:false.
	Disabled   bool
	MFAEnabled bool
	GroupIDs   []string
	// PreferredLanguage and Locale are the profile's languages (BCP 47 tags such as "de").
	PreferredLanguage, Locale string
}

// AddUser creates a user and returns its ID.
func (s *Server) AddUser(u SeedUser) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	nu := &user{ID: uuid.NewString(), Username: u.Username, Email: u.Email, Given: u.Given, Family: u.Family,
		Password: u.Password, Enabled: !u.Disabled, MFAEnabled: u.MFAEnabled, Population: s.populationID,
		Groups: slices.Clone(u.GroupIDs), Country: u.Country, CreatedAt: s.now(), PreferredLanguage: u.PreferredLanguage, Locale: u.Locale}
	s.users[nu.ID] = nu
	return nu.ID
}

// SetUserEnabled enables or disables a user.
func (s *Server) SetUserEnabled(userID string, enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userID]; ok {
		u.Enabled = enabled
	}
}

// DeleteUser removes a user and their devices.
func (s *Server) DeleteUser(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, userID)
	delete(s.devices, userID)
}

// SetGroups replaces a user's group memberships.
func (s *Server) SetGroups(userID string, groupIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userID]; ok {
		u.Groups = slices.Clone(groupIDs)
	}
}

// MFAEnabled reports a user's mfaEnabled.
func (s *Server) MFAEnabled(userID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	return ok && u.MFAEnabled
}

// AddGroup creates a group and returns its ID.
func (s *Server) AddGroup(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &Group{ID: uuid.NewString(), Name: name}
	s.groups[g.ID] = g
	return g.ID
}

// AddApp registers an application.
func (s *Server) AddApp(a App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := a
	c.RedirectURIs = slices.Clone(a.RedirectURIs)
	c.PostLogoutRedirectURIs = slices.Clone(a.PostLogoutRedirectURIs)
	s.apps[a.ClientID] = &c
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

// Outbox returns the texts sent so far, newest first.
func (s *Server) Outbox() []SMS { return newestFirst(s, &s.outbox) }

// LastCode returns the newest code texted to the E.164 number, or "" (texts without a code,
// such as a new-method notice, are skipped).
func (s *Server) LastCode(phone string) string {
	return lastCode(s.Outbox(), phone, func(m SMS) (string, string) { return m.To, m.Code })
}

// Emails returns the emails sent so far, newest first.
func (s *Server) Emails() []Email { return newestFirst(s, &s.emails) }

// LastEmailCode returns the newest code emailed to the address, or "" (notices, which carry
// no code, are skipped).
func (s *Server) LastEmailCode(to string) string {
	return lastCode(s.Emails(), to, func(m Email) (string, string) { return m.To, m.Code })
}

// newestFirst returns a copy of the messages in *sent, newest first, read under s.mu.
func newestFirst[T any](s *Server, sent *[]T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(*sent)
	slices.Reverse(out)
	return out
}

// lastCode returns the code of the first message in sent (newest first) to the address to that
// carries one, or ""; addr gives a message's address and code.
func lastCode[T any](sent []T, to string, addr func(T) (string, string)) string {
	for _, m := range sent {
		if a, code := addr(m); a == to && code != "" {
			return code
		}
	}
	return ""
}

// TokenRequests returns how many client-credentials tokens have been issued or refused.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// defaultOrOneOf sets an empty *v to def, and answers an error naming the setting name when
// *v is none of allowed.
func defaultOrOneOf(v *string, name, def string, allowed ...string) error {
	switch {
	case *v == "":
		*v = def
	case !slices.Contains(allowed, *v):
		last := len(allowed) - 1
		return fmt.Errorf("pingonetest: %s %q is not %s or %s", name, *v, strings.Join(allowed[:last], ", "), allowed[last])
	}
	return nil
}

// Calls returns how many requests a route has had, by route name (see Routes).
func (s *Server) Calls(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

// AllCalls returns a copy of the per-route call counters.
func (s *Server) AllCalls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// ExpireTokens makes every access token issued so far expire now.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.Expiry = s.now().Add(-time.Second)
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	as := "/{env}/as"
	s.handle(mux, "GET "+as+"/.well-known/openid-configuration", "discovery", s.discovery)
	s.handle(mux, "GET "+as+"/authorize", "authorize", s.authorize)
	s.handle(mux, "POST "+as+"/authorize", "authorize.submit", s.authorizeSubmit)
	s.handle(mux, "POST "+as+"/token", "token", s.token)
	s.handle(mux, "GET "+as+"/jwks", "jwks", s.jwks)
	s.handle(mux, "GET "+as+"/userinfo", "userinfo", s.userinfo)
	s.handle(mux, "POST "+as+"/userinfo", "userinfo", s.userinfo)
	s.handle(mux, "GET "+as+"/signoff", "signoff", s.signoff)

	api := "/v1/environments/{env}"
	s.handle(mux, "POST "+api+"/users", "users.create", s.api(s.createUser))
	s.handle(mux, "GET "+api+"/users", "users.search", s.api(s.searchUsers))
	s.handle(mux, "GET "+api+"/users/{uid}", "users.get", s.api(s.getUser))
	s.handle(mux, "PUT "+api+"/users/{uid}/password", "users.password", s.api(s.setPassword))
	s.handle(mux, "POST "+api+"/users/{uid}/memberOfGroups", "users.groups", s.api(s.addToGroup))
	s.handle(mux, "PUT "+api+"/users/{uid}/mfaEnabled", "users.mfaEnabled", s.api(s.setMFAEnabled))
	s.handle(mux, "GET "+api+"/users/{uid}/bypassMFA", "users.bypassMFA.get", s.api(s.getBypassMFA))
	s.handle(mux, "PUT "+api+"/users/{uid}/bypassMFA", "users.bypassMFA.put", s.api(s.putBypassMFA))
	s.handle(mux, "POST "+api+"/activities", "activities", s.api(s.postActivities))
	s.handle(mux, "POST "+api+"/groups", "groups.create", s.api(s.createGroup))
	s.handle(mux, "GET "+api+"/groups/{gid}", "groups.get", s.api(s.getGroup))
	s.handle(mux, "GET "+api+"/mfaSettings", "mfaSettings.get", s.api(s.getMFASettings))
	s.handle(mux, "PUT "+api+"/mfaSettings", "mfaSettings.put", s.api(s.putMFASettings))
	s.handle(mux, "GET "+api+"/deviceAuthenticationPolicies", "devicePolicies.list", s.api(s.listDevicePolicies))
	s.handle(mux, "GET "+api+"/deviceAuthenticationPolicies/{pid}", "devicePolicies.get", s.api(s.getDevicePolicy))
	s.handle(mux, "GET "+api+"/users/{uid}/devices", "devices.list", s.api(s.listDevices))
	s.handle(mux, "POST "+api+"/users/{uid}/devices", "devices.create", s.api(s.postDevices))
	s.handle(mux, "GET "+api+"/users/{uid}/devices/{did}", "devices.get", s.api(s.getDevice))
	s.handle(mux, "POST "+api+"/users/{uid}/devices/{did}", "devices.action", s.api(s.deviceAction))
	s.handle(mux, "DELETE "+api+"/users/{uid}/devices/{did}", "devices.delete", s.api(s.deleteDevice))
	s.handle(mux, "PUT "+api+"/users/{uid}/devices/{did}/nickname", "devices.nickname", s.api(s.renameDevice))
	// MFA device authentications live on the auth host, beside /as, not under /v1.
	da := "/{env}/deviceAuthentications"
	s.handle(mux, "POST "+da, "deviceAuthentications.create", s.api(s.createDeviceAuth))
	s.handle(mux, "GET "+da+"/{daid}", "deviceAuthentications.get", s.api(s.getDeviceAuth))
	s.handle(mux, "POST "+da+"/{daid}", "deviceAuthentications.action", s.api(s.deviceAuthAction))
	// The outboxes, for a standalone emulator's demo (docs/ui-contract.md): not PingOne's.
	mux.HandleFunc("GET /demo/sms", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Outbox()) })
	mux.HandleFunc("GET /demo/email", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Emails()) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource was not found.")
	})
	return mux
}

// Routes lists the route names that Calls and Fault.Route use. A POST on a device is named by
// its content type: devices.activate, devices.resend, devices.unlock, devices.block,
// devices.unblock; a POST on the device list with the reorder content type is devices.reorder;
// a POST on a device authentication is deviceAuthentications.select or deviceAuthentications.otp.
var Routes = []string{
	"discovery", "authorize", "authorize.submit", "token", "jwks", "userinfo", "signoff",
	"users.create", "users.search", "users.get", "users.password", "users.groups", "users.mfaEnabled", "users.bypassMFA.get", "users.bypassMFA.put", "activities", "groups.create",
	"groups.get", "mfaSettings.get", "mfaSettings.put", "devicePolicies.list", "devicePolicies.get",
	"devices.list", "devices.create", "devices.reorder", "devices.get", "devices.activate", "devices.resend",
	"devices.unlock", "devices.block", "devices.unblock", "devices.delete", "devices.nickname",
	"deviceAuthentications.create", "deviceAuthentications.get", "deviceAuthentications.select",
	"deviceAuthentications.otp",
}

func routeName(r *http.Request, base string) string {
	ct := mediaType(r.Header.Get("Content-Type"))
	switch base {
	case "devices.create":
		if ct == "application/vnd.pingidentity.devices.reorder+json" {
			return "devices.reorder"
		}
	case "deviceAuthentications.action":
		switch ct {
		case "application/vnd.pingidentity.device.select+json":
			return "deviceAuthentications.select"
		case "application/vnd.pingidentity.otp.check+json":
			return "deviceAuthentications.otp"
		}
	case "devices.action":
		switch ct {
		case "application/vnd.pingidentity.device.activate+json":
			return "devices.activate"
		case "application/vnd.pingidentity.device.sendactivationcode+json":
			return "devices.resend"
		case "application/vnd.pingidentity.device.unlock+json":
			return "devices.unlock"
		case "application/vnd.pingidentity.device.block+json":
			return "devices.block"
		case "application/vnd.pingidentity.device.unblock+json":
			return "devices.unblock"
		}
	}
	return base
}

func (s *Server) handle(mux *http.ServeMux, pattern, name string, h http.HandlerFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("env") != s.envID {
			writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested environment was not found.")
			return
		}
		route := routeName(r, name)
		s.mu.Lock()
		s.calls[route]++
		f := s.takeFault(route)
		latency, failRate, failStatus := s.latency, s.failRate, s.failStatus
		s.mu.Unlock()
		if latency > 0 {
			t := time.NewTimer(latency)
			select {
			case <-r.Context().Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if f == nil && failRate > 0 && isAPIRoute(route) && mrand.Float64() < failRate {
			f = &Fault{Status: failStatus, RetryAfter: "1"}
		}
		s.log.Debug("pingonetest request", "method", r.Method, "route", route)
		if f != nil && !s.applyFault(w, r, f, h) {
			return
		}
		h(w, r)
	})
}

// randReader is crypto/rand as an io.Reader for key generation.
type randReader struct{}

func (randReader) Read(p []byte) (int, error) { return rand.Read(p) }
