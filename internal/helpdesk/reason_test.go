package helpdesk_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smsmfa/portal/internal/helpdesk"
)

var reasonCases = []struct{ in, want string }{
	{"new phone +1 512 520 1234, code 123456", "new phone +• ••• ••• ••••, code ••••••"},
	{"call (512) 520-1234 or 512.520.1234", "call (•••) •••-•••• or •••.•••.••••"},
	{"+44 20 7946 0958", "+•• •• •••• ••••"},
	{"+15125201234", "+•••••••••••"},
	{"INC0012345 lost phone", "INC0012345 lost phone"},
	{"SR-20231: new number", "SR-20231: new number"},
	{"ticket INC0012345 5551234", "ticket INC0012345 •••••••"},
	{"3 phones, 12 codes, 999", "3 phones, 12 codes, 999"},
	{"code ١٢٣٤٥٦", "code ••••••"},
	{"", ""},
}

// TestMaskReason (issue #21): numbers and codes in a reason are masked, whatever their
// format; ticket references that start with letters stay readable, and so do short numbers.
func TestMaskReason(t *testing.T) {
	for _, c := range reasonCases {
		if got := helpdesk.MaskReason(c.in); got != c.want {
			t.Errorf("MaskReason(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// The length limit holds, and a cut never leaves the end of a long number readable.
	long := strings.Repeat("a", helpdesk.MaxReason-4) + " 5125201234"
	if got := helpdesk.CleanReason(long); utf8.RuneCountInString(got) != helpdesk.MaxReason || strings.Contains(got, "512") {
		t.Errorf("CleanReason of a long reason: %q", got)
	}
}

// standAlone is a run of 4 or more digits that no letter or ticket joiner starts: what
// MaskReason must never leave.
var standAlone = regexp.MustCompile(`(?:^|[^\pL\pN_#/\-])\pN{4,}`)

// FuzzMaskReason: whatever is typed, the masked reason keeps its length in characters, holds
// no run of 4 digits standing alone, is valid UTF-8 when the input was, and masking it again
// changes nothing.
func FuzzMaskReason(f *testing.F) {
	for _, c := range reasonCases {
		f.Add(c.in)
	}
	for _, s := range []string{"+1 (512) 520-1234", "INC-0012345 99999", "a1234 1234a 1234", "12-34-56-78", "((((1", "+(+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := helpdesk.MaskReason(in)
		if utf8.ValidString(in) {
			if !utf8.ValidString(out) || utf8.RuneCountInString(out) != utf8.RuneCountInString(in) {
				t.Fatalf("MaskReason(%q) = %q: not the same number of characters", in, out)
			}
		}
		if m := standAlone.FindString(out); m != "" {
			t.Fatalf("MaskReason(%q) = %q leaves %q", in, out, m)
		}
		if again := helpdesk.MaskReason(out); again != out {
			t.Fatalf("masking twice changes %q into %q", out, again)
		}
	})
}
