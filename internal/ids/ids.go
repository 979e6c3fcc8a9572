// Package ids makes and checks the identifiers the portal handles: random tokens (CSRF
// secrets, OIDC state and nonce, demo secrets) and the UUIDs PingOne gives users and devices.
package ids

import (
	"crypto/rand"
	"encoding/base64"
	"regexp"
)

// Token returns n random bytes from crypto/rand as unpadded base64url text.
func Token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s is a UUID in its usual 8-4-4-4-12 hexadecimal form, the only form
// PingOne uses for IDs.
func IsUUID(s string) bool { return uuidRe.MatchString(s) }
