package phone

import (
	"errors"
	"strings"
	"testing"

	"github.com/smsmfa/portal/internal/messages"
)

func TestParse(t *testing.T) {
	all, _ := NewPolicy(nil)
	usOnly, _ := NewPolicy([]string{"us"})
	tests := []struct {
		name, input, region string
		policy              *Policy
		wantE164            string
		wantIntl            string
		wantReason          Reason
		wantType            string
	}{
		// Every example in the seed.
		{name: "seed dotted cc", input: "+1.5125201234", wantE164: "+15125201234", wantIntl: "+1 512-520-1234"},
		{name: "seed E.164", input: "+15125201234", wantE164: "+15125201234"},
		{name: "seed dots", input: "+1.512.520.1234", wantE164: "+15125201234"},
		{name: "seed brackets", input: "+1 (512) 520-1234", wantE164: "+15125201234"},
		{name: "seed answer format", input: "1-512-520-1234", region: "US", wantE164: "+15125201234"},
		{name: "national with country", input: "(512) 520-1234", region: "US", wantE164: "+15125201234"},
		{name: "national with trunk 0", input: "01512 3456789", region: "DE", wantE164: "+4915123456789", wantIntl: "+49 1512 3456789"},
		{name: "trunk 0 after the country code", input: "+90 0532 123 45 67", wantE164: "+905321234567"},
		{name: "international prefix from the picked region", input: "00 44 7400 123456", region: "DE", wantE164: "+447400123456"},
		{name: "picked region ignored after +", input: "+44 7400 123456", region: "US", wantE164: "+447400123456"},
		{name: "non-breaking spaces and dashes", input: "+1\u00a0512\u2013520\u20131234", wantE164: "+15125201234"},
		{name: "fullwidth plus", input: "\uff0b1 512 520 1234", wantE164: "+15125201234"},
		{name: "empty", input: "  ", wantReason: ReasonEmpty},
		{name: "letters", input: "+1 800 FLOWERS", wantReason: ReasonCharacters},
		{name: "extension", input: "+1 512 520 1234 ext 5", wantReason: ReasonCharacters},
		{name: "plus in the middle", input: "1+5125201234", region: "US", wantReason: ReasonCharacters},
		{name: "no country", input: "5125201234", wantReason: ReasonNoCountry},
		{name: "unknown calling code", input: "+999 1234 5678", wantReason: ReasonCountryCode},
		{name: "too short", input: "512 520", region: "US", wantReason: ReasonTooShort},
		{name: "too long", input: "+1 512 520 12345", wantReason: ReasonTooLong},
		{name: "overlong input", input: strings.Repeat("1", MaxInputLength+1), region: "US", wantReason: ReasonTooLong},
		{name: "invalid", input: "+1 012 520 1234", wantReason: ReasonInvalid},
		{name: "landline", input: "+44 20 7946 0018", wantReason: ReasonNotMobile, wantType: "FIXED_LINE"},
		{name: "toll free", input: "+1 800 555 0100", wantReason: ReasonNotMobile, wantType: "TOLL_FREE"},
		{name: "premium rate", input: "+1 900 555 0100", wantReason: ReasonNotMobile, wantType: "PREMIUM_RATE"},
		{name: "premium rate GB", input: "+44 845 464 0000", wantReason: ReasonNotMobile, wantType: "PREMIUM_RATE"},
		{name: "UAN", input: "+44 55 1234 5678", wantReason: ReasonNotMobile, wantType: "UAN"},
		{name: "pager", input: "+44 76 2345 6789", wantReason: ReasonNotMobile, wantType: "PAGER"},
		{name: "non-geographic", input: "+800 1234 5678", wantReason: ReasonNonGeographic},
		{name: "region not allowed", input: "+44 7400 123456", policy: usOnly, wantReason: ReasonRegion},
		{name: "allowed region", input: "+1 512 520 1234", policy: usOnly, wantE164: "+15125201234"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.policy
			if p == nil {
				p = all
			}
			n, err := p.Parse(tc.input, tc.region)
			if tc.wantReason != "" {
				var pe *Error
				if !errors.As(err, &pe) || pe.Reason != tc.wantReason || (tc.wantType != "" && pe.Type != tc.wantType) {
					t.Fatalf("Parse(%q, %q) = %+v, %v; want reason %s %s", tc.input, tc.region, n, err, tc.wantReason, tc.wantType)
				}
				if pe.Message() == "" {
					t.Fatal("no message")
				}
				return
			}
			if err != nil || n.E164 != tc.wantE164 || (tc.wantIntl != "" && n.International != tc.wantIntl) {
				t.Fatalf("Parse(%q, %q) = %+v, %v; want %s %s", tc.input, tc.region, n, err, tc.wantE164, tc.wantIntl)
			}
		})
	}
}

func TestNewPolicyRefusesUnknownRegions(t *testing.T) {
	_, err := NewPolicy([]string{"US", "XX", "UK"})
	if err == nil || !strings.Contains(err.Error(), "XX") || !strings.Contains(err.Error(), "UK") {
		t.Fatalf("err = %v", err)
	}
	p, err := NewPolicy([]string{" gb ", "US"})
	if err != nil || !p.Allowed("GB") || p.Allowed("DE") || len(p.RegionsIn(messages.English())) != 2 {
		t.Fatalf("p = %+v, %v", p, err)
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, display, masked string }{
		{"+15125201234", "+1 512-520-1234", "+1 •••-•••-1234"},
		{"1-512-520-1234", "+1 512-520-1234", "+1 •••-•••-1234"},
		{"+447400123456", "+44 7400 123456", "+44 •••• ••3456"},
		{"+12", "+12", "•••"},
	} {
		display, masked := Shown(tc.in)
		if masked != tc.masked {
			t.Errorf("Shown(%q) masked = %q, want %q", tc.in, masked, tc.masked)
		}
		if strings.Contains(masked, "512520") || strings.Contains(masked, "5125201234") {
			t.Errorf("Shown(%q) masked leaks the number: %q", tc.in, masked)
		}
		if display != tc.display {
			t.Errorf("Shown(%q) display = %q, want %q", tc.in, display, tc.display)
		}
	}
}

func TestMessageTemplatesCoverEveryReason(t *testing.T) {
	m := MessageTemplates(messages.English())
	for _, r := range []Reason{ReasonEmpty, ReasonCharacters, ReasonNoCountry, ReasonCountryCode, ReasonTooShort,
		ReasonTooLong, ReasonInvalid, ReasonNonGeographic, ReasonRegion} {
		if m[string(r)] == "" || m[string(r)+"/"] == "" {
			t.Errorf("no template for %s", r)
		}
	}
	if !strings.Contains(m["too_short"], "{region}") || m["not_mobile/FIXED_LINE"] == "" {
		t.Errorf("templates: %v", m)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"+1.5125201234", "+1 (512) 520-1234", "0532 123 45 67", "00 44 7400 123456", "+", "((((", "+0", "1/2/3"} {
		f.Add(s, "US")
		f.Add(s, "TR")
	}
	p, _ := NewPolicy(nil)
	f.Fuzz(func(t *testing.T, input, region string) {
		n, err := p.Parse(input, region)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || pe.Message() == "" {
				t.Fatalf("Parse(%q, %q): untyped error %v", input, region, err)
			}
			return
		}
		// An accepted number is E.164, parses again to itself, and is SMS-capable.
		again, err := p.Parse(n.E164, "")
		if err != nil || again.E164 != n.E164 {
			t.Fatalf("%q accepted as %s, which does not parse back: %v", input, n.E164, err)
		}
		if n.Type != "MOBILE" && n.Type != "FIXED_LINE_OR_MOBILE" {
			t.Fatalf("accepted a %s number", n.Type)
		}
	})
}
