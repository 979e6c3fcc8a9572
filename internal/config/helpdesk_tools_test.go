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

func TestNotices(t *testing.T) {
	tests := []struct {
		name    string
		set     map[string]string
		want    Notices
		problem string
	}{
		{"off", nil, Notices{}, ""},
		{"STARTTLS with an account", map[string]string{"SMTP_URL": "smtp://mailer:pa55@mail.example.com", "NOTICE_FROM": "IT <it@example.com>", "NOTICE_CONTACT": "+1 512 555 0100"},
			Notices{SMTPHost: "mail.example.com", SMTPPort: 587, SMTPUser: "mailer", SMTPPassword: "pa55", From: "\"IT\" <it@example.com>", Contact: "+1 512 555 0100"}, ""},
		{"TLS", map[string]string{"SMTP_URL": "smtps://mail.example.com", "NOTICE_FROM": "it@example.com"},
			Notices{SMTPHost: "mail.example.com", SMTPPort: 465, ImplicitTLS: true, From: "<it@example.com>"}, ""},
		{"no sender", map[string]string{"SMTP_URL": "smtp://mail.example.com:2525"}, Notices{}, "NOTICE_FROM: is required with SMTP_URL"},
		{"not smtp", map[string]string{"SMTP_URL": "http://u:secret@mail.example.com", "NOTICE_FROM": "it@example.com"}, Notices{}, "SMTP_URL: is not smtp://"},
		{"sender without server", map[string]string{"NOTICE_FROM": "it@example.com"}, Notices{}, "NOTICE_FROM: is set but SMTP_URL is not"},
		{"bad sender", map[string]string{"SMTP_URL": "smtp://mail.example.com", "NOTICE_FROM": "it at example"}, Notices{}, "NOTICE_FROM: \"it at example\" is not an email address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			for k, v := range tc.set {
				m[k] = v
			}
			c, err := Load(env(m))
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) || strings.Contains(err.Error(), "secret") {
					t.Fatalf("err = %v, want %q (and no password)", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Notices != tc.want {
				t.Fatalf("notices %+v, want %+v", c.Notices, tc.want)
			}
			if tc.want.On() && tc.want.RequireTLS() == tc.want.ImplicitTLS {
				t.Fatalf("a remote server without TLS: %+v", c.Notices)
			}
		})
	}
}
