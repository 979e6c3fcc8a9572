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
	"net"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/google/uuid"
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

// randReader is crypto/rand as an io.Reader for key generation.
type randReader struct{}

func (randReader) Read(p []byte) (int, error) { return rand.Read(p) }
