package config

import "time"

// BypassDurations are the temporary-access lengths the help desk may choose, shortest first;
// HELPDESK_BYPASS_MAX cuts the list.
var BypassDurations = []time.Duration{time.Hour, 4 * time.Hour, 24 * time.Hour}

// bypassCeiling is the longest HELPDESK_BYPASS_MAX may be: a week of sign-ins with the
// password alone is already more than a lost phone needs.
const bypassCeiling = 7 * 24 * time.Hour

// helpdeskToolSettings are the variables of the help desk's temporary access.
var helpdeskToolSettings = []Setting{
	{"HELPDESK_BYPASS_MAX", "24h", "Longest temporary access (PingOne's MFA bypass) the help desk may give: 1h to 168h; the choices are 1 hour, 4 hours and 1 day up to it.", bypassMax},
	{"HELPDESK_ALLOW_MFA_OFF", "false", "true: the help desk may still turn a user's MFA off with no end; otherwise it gives temporary access.", boolean(func(c *Config) *bool { return &c.HelpdeskAllowMFAOff })},
}

// bypassMax reads HELPDESK_BYPASS_MAX, between the shortest choice and bypassCeiling.
func bypassMax(l *loader, s Setting, c *Config) {
	duration(func(c *Config) *time.Duration { return &c.HelpdeskBypassMax })(l, s, c)
	if c.HelpdeskBypassMax < BypassDurations[0] || c.HelpdeskBypassMax > bypassCeiling {
		l.bad(s.Name, "%s is outside 1h to %s", c.HelpdeskBypassMax, bypassCeiling)
	}
}
