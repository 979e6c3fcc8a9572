package config

import (
	"strings"
	"testing"
	"time"
)

// TestProblemsInTheTablesOrder: problems are listed in the order of Variables (the README's and
// -help's), each under its variable's name.
func TestProblemsInTheTablesOrder(t *testing.T) {
	m := valid()
	m["FIRST_PHONE_PROOF"], m["LOG_LEVEL"], m["PINGONE_TIMEOUT"], m["PORTAL_PUBLIC_URL"] = "sms", "loud", "soon", "ftp://x"
	_, err := Load(env(m))
	ce, ok := err.(*Error)
	if !ok {
		t.Fatalf("err = %v", err)
	}
	var names []string
	for _, p := range ce.Problems {
		names = append(names, p[:strings.Index(p, ":")])
	}
	if got, want := strings.Join(names, " "), "PORTAL_PUBLIC_URL PINGONE_TIMEOUT LOG_LEVEL FIRST_PHONE_PROOF"; got != want {
		t.Fatalf("problems of %s, want %s", got, want)
	}
}

// TestDurationDefaultsAsDocumented: an unset duration takes the value its row documents.
func TestDurationDefaultsAsDocumented(t *testing.T) {
	c, err := Load(env(valid()))
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]time.Duration{
		"PINGONE_TIMEOUT": c.PingOneTimeout, "SESSION_IDLE_TIMEOUT": c.SessionIdleTimeout, "SESSION_MAX_AGE": c.SessionMaxAge,
		"HELPDESK_STEP_UP_MAX_AGE": c.HelpdeskStepUpMaxAge, "HELPDESK_VERIFICATION_TTL": c.HelpdeskVerificationTTL,
		"STEP_UP_MAX_AGE": c.StepUpMaxAge, "SHUTDOWN_TIMEOUT": c.ShutdownTimeout, "HELPDESK_NEW_PHONE_WAIT": c.HelpdeskNewPhoneWait,
		"HELPDESK_BYPASS_MAX": c.HelpdeskBypassMax,
	} {
		var def string
		for _, v := range Variables {
			if v.Name == name {
				def = v.Default
			}
		}
		if want, err := time.ParseDuration(def); err != nil || got != want {
			t.Errorf("%s = %v, documented default %q", name, got, def)
		}
	}
	if c.PingOneTimeout != 10*time.Second || c.SessionMaxAge != 8*time.Hour || c.HelpdeskBypassMax != 24*time.Hour {
		t.Errorf("defaults %v %v %v", c.PingOneTimeout, c.SessionMaxAge, c.HelpdeskBypassMax)
	}
}
