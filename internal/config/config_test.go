package config

import (
	"os"
	"path/filepath"
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
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	m := map[string]string{
		"PORTAL_PUBLIC_URL":      "http://mfa.example.com",
		"PINGONE_ENVIRONMENT_ID": "not-a-uuid",
		"PINGONE_REGION":         "MARS",
		"SESSION_KEYS":           "short",
		"SESSION_IDLE_TIMEOUT":   "forever",
		"ALLOWED_REGIONS":        "US,XX",
		"LOG_LEVEL":              "loud",
		"PINGONE_API_BASE":       "ftp://x",
	}
	_, err := Load(env(m))
	ce, ok := err.(*Error)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	for _, name := range []string{"PORTAL_PUBLIC_URL", "PINGONE_ENVIRONMENT_ID", "PINGONE_REGION", "SESSION_KEYS",
		"SESSION_IDLE_TIMEOUT", "ALLOWED_REGIONS", "LOG_LEVEL", "PINGONE_API_BASE", "PINGONE_WORKER_CLIENT_ID",
		"PINGONE_WORKER_CLIENT_SECRET", "PINGONE_WEB_CLIENT_ID", "PINGONE_WEB_CLIENT_SECRET"} {
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
