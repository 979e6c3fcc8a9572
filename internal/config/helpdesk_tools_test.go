package config

import (
	"strings"
	"testing"
	"time"
)

func TestHelpdeskTools(t *testing.T) {
	tests := []struct {
		name    string
		set     map[string]string
		max     time.Duration
		mfaOff  bool
		problem string
	}{
		{"defaults", nil, 24 * time.Hour, false, ""},
		{"four hours, MFA off allowed", map[string]string{"HELPDESK_BYPASS_MAX": "4h", "HELPDESK_ALLOW_MFA_OFF": "true"}, 4 * time.Hour, true, ""},
		{"under an hour", map[string]string{"HELPDESK_BYPASS_MAX": "30m"}, 0, false, "HELPDESK_BYPASS_MAX: 30m0s is outside 1h to 168h0m0s"},
		{"over a week", map[string]string{"HELPDESK_BYPASS_MAX": "200h"}, 0, false, "HELPDESK_BYPASS_MAX: 200h0m0s is outside"},
		{"not a duration", map[string]string{"HELPDESK_BYPASS_MAX": "a day"}, 0, false, "HELPDESK_BYPASS_MAX: \"a day\" is not a positive duration"},
		{"not a boolean", map[string]string{"HELPDESK_ALLOW_MFA_OFF": "sometimes"}, 0, false, "HELPDESK_ALLOW_MFA_OFF: \"sometimes\" is not true or false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			for k, v := range tc.set {
				m[k] = v
			}
			c, err := Load(env(m))
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("err = %v, want %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.HelpdeskBypassMax != tc.max || c.HelpdeskAllowMFAOff != tc.mfaOff {
				t.Fatalf("max %s, MFA off %v", c.HelpdeskBypassMax, c.HelpdeskAllowMFAOff)
			}
		})
	}
}
