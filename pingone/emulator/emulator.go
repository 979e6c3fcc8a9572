// Package emulator is a PingOne emulator: an OpenID Provider (sign-in with the password and,
// under an MFA sign-on policy, a texted code), the management API's user, group, MFA-device,
// MFA settings, device authentication policy, bypass and activity calls, and MFA device
// authentications, answering on a loopback port in PingOne's URL layout, with outboxes (SMS and
// email) instead of a phone network and faults on demand. Nothing in it reaches the real PingOne.
//
// It is production code and production-safe: it imports neither testing nor the test kits, so
// the portal binary may link it. The portal's demo mode (-demo) and cmd/pingone-emulator run it
// for people; cmd/loadtest and the tests run it for programs. The test helpers (Start, an
// emulator closed when the test ends; WorkerToken; Clock) are in pingone/pingonetest.
//
// The emulator is held to PingOne's published API by the contract suite in pingone/pingonetest
// (RunContract), which runs against it, every answer validated against PingOne's API
// descriptions, and against a real tenant when one is given. Where PingOne's behaviour is not
// documented, the emulator picks the documented-nearest behaviour, and a comment marked
// UNVERIFIED says so.
//
// The files follow PingOne's areas: users and groups (users.go, scim.go for the SCIM filter),
// devices (devices.go) and their pairing (pairing.go), device authentications (deviceauth.go,
// deviceauth_steps.go), sign-in (oidc.go, signin.go, signin_page.go, tokens.go), MFA settings
// and device policies (mfasettings.go, devicepolicy.go), bypass (bypass.go), activities
// (activities.go), outboxes (outbox.go), faults (faults.go); options.go and routes.go set it up.
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
	opts, sms, err := opts.withDefaults()
	if err != nil {
		return nil, err
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
		return nil, fmt.Errorf("emulator: listen: %w", err)
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
