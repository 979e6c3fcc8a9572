package e2e

// The page design of issue #25, measured in Chromium: where things are, what is shown when,
// and how many screens a task takes.

import (
	"github.com/smsmfa/portal/internal/phone"
)

// shown is a number as the portal writes it for people: +1 512-520-1234.
func shown(e164 string) string {
	d, _ := phone.Shown(e164)
	return d
}
