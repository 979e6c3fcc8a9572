package phone_test

import (
	"testing"

	"github.com/smsmfa/portal/internal/phone"
)

// TestMaskEmail: the address shown to staff keeps the first letter (whole, whatever its
// script) and the domain; what is no address shows nothing.
func TestMaskEmail(t *testing.T) {
	cases := [][2]string{
		{"erin@example.com", "e•••@example.com"},
		{"élodie@example.fr", "é•••@example.fr"},
		{"日本@example.jp", "日•••@example.jp"},
		{"a@b@example.com", "a•••@example.com"},
		{"@example.com", ""}, {"no-address", ""}, {"", ""},
	}
	for _, c := range cases {
		if got := phone.MaskEmail(c[0]); got != c[1] {
			t.Errorf("MaskEmail(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}
