package phone

import (
	"strings"
	"unicode/utf8"
)

// MaskEmail is the one mask for an email address on every staff page and in every record
// (issue #21), beside Shown's for numbers: the first letter of the local part (whole, whatever
// its script) and the domain, e•••@example.com. What is not an address masks to "".
func MaskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at <= 0 {
		return ""
	}
	_, first := utf8.DecodeRuneInString(e)
	return e[:first] + "•••" + e[at:]
}
