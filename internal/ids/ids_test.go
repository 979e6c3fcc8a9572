package ids

import (
	"encoding/base64"
	"testing"
)

func TestToken(t *testing.T) {
	a, b := Token(32), Token(32)
	if a == b {
		t.Fatal("two tokens are the same")
	}
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 {
		t.Fatalf("Token(32) = %q: %d bytes, %v", a, len(raw), err)
	}
}

func TestIsUUID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"6f1c2b3a-0000-4000-8000-1234567890ab", true},
		{"6F1C2B3A-0000-4000-8000-1234567890AB", true},
		{"", false},
		{"6f1c2b3a00004000800001234567890ab", false},
		{"{6f1c2b3a-0000-4000-8000-1234567890ab}", false},
		{"6f1c2b3a-0000-4000-8000-1234567890ab\n", false},
		{"../users", false},
	} {
		if got := IsUUID(tc.in); got != tc.want {
			t.Errorf("IsUUID(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
