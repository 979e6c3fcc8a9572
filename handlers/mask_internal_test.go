package handlers

import "testing"

// TestMaskEmail: the address shown to staff keeps the first letter (whole, whatever its
// script) and the domain.
func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{
		"erin@example.com":  "e•••@example.com",
		"élodie@example.fr": "é•••@example.fr",
		"a@b@example.com":   "a•••@example.com",
		"@example.com":      "",
		"no-address":        "",
		"":                  "",
		"日本@example.jp":     "日•••@example.jp",
	} {
		if got := maskEmail(in); got != want {
			t.Errorf("maskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
