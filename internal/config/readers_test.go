package config

import (
	"strings"
	"testing"
)

// TestSharedReadersSayTheSame (review of issue 22): the URL reader shared by PingOne's bases
// and the pages' links, and the name reader shared by STEP_UP_ACR and REDIS_KEY_PREFIX, keep
// each setting's own words, values and defaults.
func TestSharedReadersSayTheSame(t *testing.T) {
	for _, tc := range []struct {
		key, value, problem string
		got                 func(*Config) string
		want                string
	}{
		{"PINGONE_API_BASE", "https://api.pingone.eu/v1//", "", func(c *Config) string { return c.PingOneAPIBase }, "https://api.pingone.eu/v1"},
		{"PINGONE_AUTH_BASE", "ftp://auth.pingone.eu", `PINGONE_AUTH_BASE: "ftp://auth.pingone.eu" is not an http(s) URL`, nil, ""},
		{"PINGONE_AUTH_BASE", "http://auth.pingone.eu", `PINGONE_AUTH_BASE: "http://auth.pingone.eu" must be https (plain http only on this machine, for the emulator)`, nil, ""},
		{"ALTERNATIVE_METHODS_URL", "https://intranet.example/a/", "", func(c *Config) string { return c.AlternativeMethodsURL }, "https://intranet.example/a/"},
		{"ALTERNATIVE_METHODS_URL", "ftp://intranet.example", `ALTERNATIVE_METHODS_URL: "ftp://intranet.example" is not an https URL`, nil, ""},
		{"ALTERNATIVE_METHODS_URL", "http://intranet.example", `ALTERNATIVE_METHODS_URL: "http://intranet.example" must be https (plain http only on localhost)`, nil, ""},
		{"STEP_UP_ACR", "", "", func(c *Config) string { return c.StepUpACR }, "Multi_Factor"},
		{"STEP_UP_ACR", "Strong_MFA", "", func(c *Config) string { return c.StepUpACR }, "Strong_MFA"},
		{"STEP_UP_ACR", `Multi "Factor"`, `STEP_UP_ACR: "Multi \"Factor\"" is not a sign-on policy name`, nil, ""},
		{"REDIS_KEY_PREFIX", "", "", func(c *Config) string { return c.RedisKeyPrefix }, "mfa-portal:"},
		{"REDIS_KEY_PREFIX", "p2:", "", func(c *Config) string { return c.RedisKeyPrefix }, "p2:"},
		{"REDIS_KEY_PREFIX", "{p}", `REDIS_KEY_PREFIX: "{p}" must not contain spaces, { or }`, nil, ""},
	} {
		m := valid()
		m[tc.key] = tc.value
		c, err := Load(env(m))
		switch {
		case tc.problem != "":
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Errorf("%s=%q: %v; want the problem %q", tc.key, tc.value, err, tc.problem)
			}
		case err != nil:
			t.Errorf("%s=%q: %v", tc.key, tc.value, err)
		case tc.got(c) != tc.want:
			t.Errorf("%s=%q: read %q; want %q", tc.key, tc.value, tc.got(c), tc.want)
		}
	}
}
