package config

import (
	"strings"
	"time"
)

// BypassDurations are the temporary-access lengths the help desk may choose, shortest first;
// HELPDESK_BYPASS_MAX cuts the list.
var BypassDurations = []time.Duration{time.Hour, 4 * time.Hour, 24 * time.Hour}

// bypassCeiling is the longest HELPDESK_BYPASS_MAX may be: a week of sign-ins with the
// password alone is already more than a lost phone needs.
const bypassCeiling = 7 * 24 * time.Hour

func init() {
	Variables = append(Variables,
		struct{ Name, Default, Meaning string }{"HELPDESK_BYPASS_MAX", "24h", "Longest temporary access (PingOne's MFA bypass) the help desk may give: 1h to 168h; the choices are 1 hour, 4 hours and 1 day up to it."},
		struct{ Name, Default, Meaning string }{"HELPDESK_ALLOW_MFA_OFF", "false", "true: the help desk may still turn a user's MFA off with no end; otherwise it gives temporary access."},
	)
}

// loadHelpdeskTools reads the settings of the help desk's temporary access.
func loadHelpdeskTools(l *loader, c *Config) {
	c.HelpdeskBypassMax = l.duration("HELPDESK_BYPASS_MAX", 24*time.Hour)
	if c.HelpdeskBypassMax < BypassDurations[0] || c.HelpdeskBypassMax > bypassCeiling {
		l.bad("HELPDESK_BYPASS_MAX", "%s is outside 1h to %s", c.HelpdeskBypassMax, bypassCeiling)
	}
	switch strings.ToLower(l.str("HELPDESK_ALLOW_MFA_OFF")) {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		c.HelpdeskAllowMFAOff = true
	default:
		l.bad("HELPDESK_ALLOW_MFA_OFF", "%q is not true or false", l.str("HELPDESK_ALLOW_MFA_OFF"))
	}
}
