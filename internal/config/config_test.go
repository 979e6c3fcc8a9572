package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func valid() map[string]string {
	return map[string]string{
		"PORTAL_PUBLIC_URL":            "https://mfa.example.com",
		"PINGONE_ENVIRONMENT_ID":       "abfba8f6-49eb-49f5-a5d9-80ad5c98f9f6",
		"PINGONE_WORKER_CLIENT_ID":     "worker",
		"PINGONE_WORKER_CLIENT_SECRET": "worker-secret",
		"PINGONE_WEB_CLIENT_ID":        "web",
		"PINGONE_WEB_CLIENT_SECRET":    "web-secret",
		"SESSION_KEYS":                 strings.Repeat("k", 32) + "," + strings.Repeat("o", 40),
		"ALLOWED_REGIONS":              "US",
	}
}

func TestLoadValid(t *testing.T) {
	m := valid()
	m["PINGONE_REGION"] = "eu"
	m["ALLOWED_REGIONS"] = "us, gb"
	m["DEFAULT_REGION"] = "gb"
	m["SESSION_IDLE_TIMEOUT"] = "10m"
	c, err := Load(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if c.PingOneRegion.APIBase() != "https://api.pingone.eu/v1" || c.DefaultRegion != "GB" || len(c.SessionKeys) != 2 ||
		c.SessionIdleTimeout != 10*time.Minute || c.SessionMaxAge != 8*time.Hour || !c.Secure() ||
		c.RedirectURL() != "https://mfa.example.com/auth/callback" || c.Listen != ":8080" {
		t.Fatalf("config %+v", c)
	}
	// Issue #21's settings: a day's wait for new phones, no mailbox proof, the help desk's limits.
	if c.HelpdeskNewPhoneWait != 24*time.Hour || c.FirstPhoneProof != "none" || c.Limits.HelpdeskSearch.Limit != 60 ||
		c.Limits.CallerCodes.Limit != 3 || c.Limits.CallerCodesUser.Limit != 5 {
		t.Fatalf("issue #21 defaults: %v %q %+v", c.HelpdeskNewPhoneWait, c.FirstPhoneProof, c.Limits)
	}
	m["FIRST_PHONE_PROOF"], m["HELPDESK_NEW_PHONE_WAIT"], m["LIMIT_HELPDESK_CALLER_CODES"] = "EMAIL", "48h", "2/30m"
	if c, err = Load(env(m)); err != nil || c.FirstPhoneProof != "email" || c.HelpdeskNewPhoneWait != 48*time.Hour ||
		c.Limits.CallerCodes.String() != "2/30m" {
		t.Fatalf("issue #21 settings: %v %+v", err, c)
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	m := map[string]string{
		"PORTAL_PUBLIC_URL":       "http://mfa.example.com",
		"PINGONE_ENVIRONMENT_ID":  "not-a-uuid",
		"PINGONE_REGION":          "MARS",
		"SESSION_KEYS":            "short",
		"SESSION_IDLE_TIMEOUT":    "forever",
		"ALLOWED_REGIONS":         "US,XX",
		"LOG_LEVEL":               "loud",
		"PINGONE_API_BASE":        "ftp://x",
		"HELPDESK_NEW_PHONE_WAIT": "a day",
		"FIRST_PHONE_PROOF":       "sms",
		"LIMIT_HELPDESK_SEARCH":   "lots",
	}
	_, err := Load(env(m))
	ce, ok := err.(*Error)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	for _, name := range []string{"PORTAL_PUBLIC_URL", "PINGONE_ENVIRONMENT_ID", "PINGONE_REGION", "SESSION_KEYS",
		"SESSION_IDLE_TIMEOUT", "ALLOWED_REGIONS", "LOG_LEVEL", "PINGONE_API_BASE", "PINGONE_WORKER_CLIENT_ID",
		"PINGONE_WORKER_CLIENT_SECRET", "PINGONE_WEB_CLIENT_ID", "PINGONE_WEB_CLIENT_SECRET", "HELPDESK_NEW_PHONE_WAIT",
		"FIRST_PHONE_PROOF", "LIMIT_HELPDESK_SEARCH"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("no problem reported for %s in %v", name, ce.Problems)
		}
	}
}

func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := valid()
	delete(m, "PINGONE_WORKER_CLIENT_SECRET")
	m["PINGONE_WORKER_CLIENT_SECRET_FILE"] = file
	c, err := Load(env(m))
	if err != nil || c.WorkerClientSecret != "from-file" {
		t.Fatalf("%v %+v", err, c)
	}
	m["PINGONE_WORKER_CLIENT_SECRET"] = "both"
	if _, err := Load(env(m)); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("both set: %v", err)
	}
	delete(m, "PINGONE_WORKER_CLIENT_SECRET")
	m["PINGONE_WORKER_CLIENT_SECRET_FILE"] = filepath.Join(dir, "missing")
	if _, err := Load(env(m)); err == nil || !strings.Contains(err.Error(), "PINGONE_WORKER_CLIENT_SECRET_FILE:") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestProblemsNeverEchoSecrets(t *testing.T) {
	m := valid()
	m["SESSION_KEYS"] = "tooshort-but-secret"
	_, err := Load(env(m))
	if err == nil || strings.Contains(err.Error(), "tooshort-but-secret") {
		t.Fatalf("err = %v", err)
	}
}

func TestPlainHTTPOnlyOnLoopback(t *testing.T) {
	m := valid()
	m["PORTAL_PUBLIC_URL"] = "http://127.0.0.1:8080"
	c, err := Load(env(m))
	if err != nil || c.Secure() {
		t.Fatalf("%v %+v", err, c)
	}
}

// TestSaferDefaults: PingOne's bases are https (loopback excepted, for the emulator), and the
// allowed countries are named, or every country chosen on purpose with *.
func TestSaferDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, key, value string
		bad              bool
	}{
		{"https API base", "PINGONE_API_BASE", "https://api.pingone.eu/v1", false},
		{"http API base", "PINGONE_API_BASE", "http://api.pingone.eu/v1", true},
		{"http auth base", "PINGONE_AUTH_BASE", "http://auth.pingone.eu", true},
		{"http on loopback", "PINGONE_AUTH_BASE", "http://127.0.0.1:9000", false},
		{"http on localhost", "PINGONE_API_BASE", "http://localhost:9000/v1", false},
		{"no regions", "ALLOWED_REGIONS", "", true},
		{"every region on purpose", "ALLOWED_REGIONS", "*", false},
		{"star and codes", "ALLOWED_REGIONS", "*,US", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			m[tc.key] = tc.value
			c, err := Load(env(m))
			if tc.bad != (err != nil) {
				t.Fatalf("%s=%q: err = %v", tc.key, tc.value, err)
			}
			if err != nil && !strings.Contains(err.Error(), tc.key) {
				t.Errorf("the problem does not name %s: %v", tc.key, err)
			}
			if tc.value == "*" && (err != nil || c.AllowedRegions != nil) {
				t.Errorf("* must allow every region: %v %v", c, err)
			}
		})
	}
}

// TestRedisURLReadAsTheStoreReadsIt: what the store would refuse when it connects (an unknown
// option, a database that is not a number, with Sentinel or Cluster too) is listed at start
// with every other problem, in go-redis's words, and never with the password.
func TestRedisURLReadAsTheStoreReadsIt(t *testing.T) {
	const secret = "s3cr3t-Passw0rd"
	for _, tc := range []struct {
		url  string
		want string // "" for a URL that passes
	}{
		{"redis://:" + secret + "@redis.internal:6379/0", ""},
		{"rediss://:" + secret + "@redis.internal:26379/0?master_name=portal&password=" + secret, ""},
		{"redis://:" + secret + "@redis.internal:7000?cluster=true", ""},
		{"redis://:" + secret + "@redis.internal:6379/0?colour=blue", "colour"},
		{"redis://:" + secret + "@redis.internal:6379/zero", "database"},
		{"redis://:" + secret + "@redis.internal:26379/0?master_name=portal&dial_timeout=soon", "dial_timeout"},
		{"redis://:" + secret + "@redis.internal:7000?cluster=true&read_timeout=later", "read_timeout"},
		{"http://:" + secret + "@redis.internal:6379", "redis:// or rediss://"},
		{"redis://:" + secret + "@/0", "host"},
		{"redis://:" + secret + "@redis.internal:bad port/0", "not a URL"},
	} {
		m := valid()
		m["REDIS_URL"] = tc.url
		m["PINGONE_REGION"] = "MARS" // another problem, listed with it
		_, err := Load(env(m))
		if err == nil {
			t.Fatalf("%s: no error", tc.url)
		}
		msg := err.Error()
		if strings.Contains(msg, secret) {
			t.Errorf("the problem repeats the password: %v", msg)
		}
		if !strings.Contains(msg, "PINGONE_REGION:") {
			t.Errorf("%s: the other problem is not listed with it: %v", tc.url, msg)
		}
		hasRedis := strings.Contains(msg, "REDIS_URL:")
		if tc.want == "" && hasRedis {
			t.Errorf("%s: refused: %v", tc.url, msg)
		}
		if tc.want != "" && (!hasRedis || !strings.Contains(msg[strings.Index(msg, "REDIS_URL:"):], tc.want)) {
			t.Errorf("%s: want a REDIS_URL problem naming %q: %v", tc.url, tc.want, msg)
		}
	}
}

// TestAlternativeMethodsURL: ALTERNATIVE_METHODS_URL is an https URL, or http on this machine
// only; anything else is a problem naming the variable.
func TestAlternativeMethodsURL(t *testing.T) {
	for _, tc := range []struct {
		value, want, problem string
	}{
		{"", "", ""},
		{"https://intranet.example/passkeys", "https://intranet.example/passkeys", ""},
		{"http://localhost:9000/methods", "http://localhost:9000/methods", ""},
		{"http://127.0.0.1/methods", "http://127.0.0.1/methods", ""},
		{"http://intranet.example/passkeys", "", "must be https (plain http only on localhost)"},
		{"javascript:alert(1)", "", "is not an https URL"},
		{"/passkeys", "", "is not an https URL"},
		{"https://", "", "is not an https URL"},
	} {
		m := valid()
		m["ALTERNATIVE_METHODS_URL"] = tc.value
		c, err := Load(env(m))
		switch {
		case tc.problem == "" && (err != nil || c.AlternativeMethodsURL != tc.want):
			t.Errorf("%q: %v, URL %q", tc.value, err, c.AlternativeMethodsURL)
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), "ALTERNATIVE_METHODS_URL: ") || !strings.Contains(err.Error(), tc.problem)):
			t.Errorf("%q: %v, want the problem %q", tc.value, err, tc.problem)
		}
	}
}

// TestAddresses: LISTEN_ADDR is read with every other setting, and no two of the public,
// metrics and profiler addresses may share a port.
func TestAddresses(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		bad  string // the variable named in the problem, "" when it passes
	}{
		{"defaults", nil, ""},
		{"listen not an address", map[string]string{"LISTEN_ADDR": "notaport"}, "LISTEN_ADDR"},
		{"listen port not a number", map[string]string{"LISTEN_ADDR": ":http-ish"}, "LISTEN_ADDR"},
		{"listen port out of range", map[string]string{"LISTEN_ADDR": ":70000"}, "LISTEN_ADDR"},
		{"metrics apart", map[string]string{"LISTEN_ADDR": ":8080", "METRICS_ADDR": ":9090"}, ""},
		{"metrics on the listen address", map[string]string{"LISTEN_ADDR": ":8080", "METRICS_ADDR": ":8080"}, "METRICS_ADDR"},
		{"metrics on the default listen port", map[string]string{"METRICS_ADDR": "127.0.0.1:8080"}, "METRICS_ADDR"},
		{"metrics on another interface, same port", map[string]string{"LISTEN_ADDR": "10.0.0.1:8080", "METRICS_ADDR": "127.0.0.1:8080"}, ""},
		{"metrics not an address", map[string]string{"METRICS_ADDR": "9090"}, "METRICS_ADDR"},
		{"pprof apart", map[string]string{"METRICS_ADDR": ":9090", "PPROF_ADDR": "127.0.0.1:6060"}, ""},
		{"pprof on the metrics address", map[string]string{"METRICS_ADDR": ":9090", "PPROF_ADDR": "127.0.0.1:9090"}, "PPROF_ADDR"},
		{"pprof on the listen address", map[string]string{"LISTEN_ADDR": "127.0.0.1:8080", "PPROF_ADDR": "127.0.0.1:8080"}, "PPROF_ADDR"},
		{"pprof not an address", map[string]string{"PPROF_ADDR": "on"}, "PPROF_ADDR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			for k, v := range tc.env {
				m[k] = v
			}
			m["LOG_LEVEL"] = "loud" // another problem, listed with it
			_, err := Load(env(m))
			ce, ok := err.(*Error)
			if !ok {
				t.Fatalf("err = %v", err)
			}
			var named []string
			for _, p := range ce.Problems {
				named = append(named, p[:strings.Index(p, ":")])
			}
			want := []string{"LOG_LEVEL"}
			if tc.bad != "" {
				want = append(want, tc.bad)
			}
			slices.Sort(named)
			slices.Sort(want)
			if !slices.Equal(named, want) {
				t.Fatalf("problems %q, want problems of %v", ce.Problems, want)
			}
		})
	}
}

// TestMaxInFlight: a whole number of at least 1, 400 when unset.
func TestMaxInFlight(t *testing.T) {
	m := valid()
	c, err := Load(env(m))
	if err != nil || c.MaxInFlight != 400 {
		t.Fatalf("default: %v %+v", err, c)
	}
	m["MAX_IN_FLIGHT"] = "250"
	if c, err = Load(env(m)); err != nil || c.MaxInFlight != 250 {
		t.Fatalf("250: %v %+v", err, c)
	}
	for _, v := range []string{"0", "-3", "many", "1.5"} {
		m["MAX_IN_FLIGHT"] = v
		if _, err := Load(env(m)); err == nil || !strings.Contains(err.Error(), "MAX_IN_FLIGHT:") {
			t.Errorf("MAX_IN_FLIGHT=%s: %v", v, err)
		}
	}
}

// TestEachProblemOnce: a secret set both ways is one problem ("not both"), not followed by
// "is required"; an unreadable file likewise.
func TestEachProblemOnce(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"both", map[string]string{"SESSION_KEYS_FILE": file}, "SESSION_KEYS: set either SESSION_KEYS or SESSION_KEYS_FILE, not both"},
		{"unreadable file", map[string]string{"SESSION_KEYS": "", "SESSION_KEYS_FILE": filepath.Join(dir, "missing")}, "SESSION_KEYS_FILE: cannot read"},
		{"neither", map[string]string{"SESSION_KEYS": ""}, "SESSION_KEYS: is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			for k, v := range tc.env {
				m[k] = v
			}
			_, err := Load(env(m))
			ce, ok := err.(*Error)
			if !ok {
				t.Fatalf("err = %v", err)
			}
			if len(ce.Problems) != 1 || !strings.HasPrefix(ce.Problems[0], tc.want) {
				t.Fatalf("problems %q, want just %q", ce.Problems, tc.want)
			}
		})
	}
}

// TestDrainDelay: none by default, 0 or more when set.
func TestDrainDelay(t *testing.T) {
	m := valid()
	if c, err := Load(env(m)); err != nil || c.DrainDelay != 0 {
		t.Fatalf("default: %v %+v", err, c)
	}
	for v, want := range map[string]time.Duration{"5s": 5 * time.Second, "0": 0, "0s": 0} {
		m["DRAIN_DELAY"] = v
		if c, err := Load(env(m)); err != nil || c.DrainDelay != want {
			t.Errorf("DRAIN_DELAY=%s: %v %v", v, err, c)
		}
	}
	for _, v := range []string{"-1s", "soon", "5"} {
		m["DRAIN_DELAY"] = v
		if _, err := Load(env(m)); err == nil || !strings.Contains(err.Error(), "DRAIN_DELAY:") {
			t.Errorf("DRAIN_DELAY=%s: %v", v, err)
		}
	}
}

// TestOTLPEndpoint reads OTEL_EXPORTER_OTLP_ENDPOINT: off when empty, an http(s) base URL
// otherwise, and a clear problem for anything else (a password in it would reach the log).
func TestOTLPEndpoint(t *testing.T) {
	for _, tc := range []struct {
		value, want, problem string
	}{
		{"", "", ""},
		{"http://otel-collector.monitoring:4318", "http://otel-collector.monitoring:4318", ""},
		{"https://collector.example.com/otlp/", "https://collector.example.com/otlp/", ""},
		{"otel-collector:4318", "", "not an http:// or https:// URL"},
		{"grpc://otel-collector:4317", "", "not an http:// or https:// URL"},
		{"http://collector:4318?x=1", "", "without a query"},
		{"https://user:secret@collector.example.com", "", "OTEL_EXPORTER_OTLP_HEADERS"},
	} {
		m := valid()
		m["OTEL_EXPORTER_OTLP_ENDPOINT"] = tc.value
		c, err := Load(env(m))
		if tc.problem == "" {
			if err != nil || c.OTLPEndpoint != tc.want {
				t.Errorf("%q: %v, endpoint %q", tc.value, err, c.OTLPEndpoint)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_ENDPOINT: ") || !strings.Contains(err.Error(), tc.problem) {
			t.Errorf("%q: %v, want a problem saying %q", tc.value, err, tc.problem)
		}
		if err != nil && strings.Contains(err.Error(), "secret@") {
			t.Errorf("%q: the problem repeats the password: %v", tc.value, err)
		}
	}
}
