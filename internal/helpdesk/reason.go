package helpdesk

// The reason or ticket reference staff give with a change (issue #21): free text, so a number
// or a code typed into it must not reach the audit trail or a page as typed.

import (
	"regexp"
	"strings"
)

// MaxReason bounds a reason or ticket reference, in characters.
const MaxReason = 200

// reasonToken finds, leftmost first, either a word that starts with a letter (a ticket
// reference such as INC0012345 or SR-20231, kept as typed) or a run of digits with the
// separators phone numbers are written with (+1 (512) 520-1234, 512.520.1234).
var reasonToken = regexp.MustCompile(`(\pL[\pL\pN]*(?:[-_#/]\pN+)*)|(\+?\(?\pN(?:[\pN ().\-/]*\pN)?)`)

// MaskReason masks, in a reason, every phone number whatever its format and every run of 4 or
// more digits that stands alone (a code, a number without its country): each digit becomes •,
// the separators stay, so the shape still reads. Digits inside a word that starts with a
// letter stay readable: ticket references (INC0012345, SR-20231).
func MaskReason(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range reasonToken.FindAllStringSubmatchIndex(s, -1) {
		if m[4] < 0 {
			continue // a word: kept
		}
		run := s[m[4]:m[5]]
		if digits(run) < 4 {
			continue
		}
		b.WriteString(s[last:m[4]])
		for _, r := range run {
			if isDigit(r) {
				b.WriteString("•")
			} else {
				b.WriteRune(r)
			}
		}
		last = m[5]
	}
	b.WriteString(s[last:])
	return b.String()
}

func isDigit(r rune) bool { return reasonDigit.MatchString(string(r)) }

var reasonDigit = regexp.MustCompile(`^\pN$`)

func digits(s string) int {
	n := 0
	for _, r := range s {
		if isDigit(r) {
			n++
		}
	}
	return n
}
