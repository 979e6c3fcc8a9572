package form

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
)

// FuzzPhone reads any add-phone form (go test -fuzz FuzzPhone ./internal/form): the values
// come back as sent, the region is at most MaxRegion bytes, the number shown again is a
// prefix of the typed one within its bound, and the first problem is the phone policy's own
// (phone.Check), which a number it lets through passes the policy's first checks on.
func FuzzPhone(f *testing.F) {
	for _, s := range [][2]string{
		{"GB", "07400 123456"}, {"", "+44 7400 123456"}, {"US", "(512) 520-1234"}, {"GBRX", "1"},
		{"", ""}, {"gb", " \u00a0+44\u2011 7400 "}, {"ZZ", strings.Repeat("9", 50)}, {"\x00", "+\xff"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, region, number string) {
		p := NewPhone(post(url.Values{"region": {region}, "phone": {number}}))
		if p.Number != number {
			t.Fatalf("Number = %q; sent %q", p.Number, number)
		}
		if len(region) <= MaxRegion && p.Region != region || len(region) > MaxRegion && p.Region != "" {
			t.Fatalf("Region = %q; sent %q", p.Region, region)
		}
		if s := p.Shown(); len(s) > 2*phone.MaxInputLength || !strings.HasPrefix(number, s) {
			t.Fatalf("Shown() = %q for %q", s, number)
		}
		err := p.Problem()
		if want := phone.Check(p.Number, p.Region); (err == nil) != (want == nil) || err != nil && err.Error() != want.Error() {
			t.Fatalf("Problem() = %v; phone.Check says %v", err, want)
		}
		var pe *phone.Error
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("Problem() = %v (%T); want a *phone.Error", err, err)
		}
		if err == nil {
			if c := phone.Clean(number); c == "" || len(c) > phone.MaxInputLength {
				t.Fatalf("Problem() = nil for %q (cleaned %q)", number, c)
			}
		}
	})
}

// FuzzCode reads any code form: trimmed, and accepted only when mfa.CleanCode accepts it
// within MaxCode bytes.
func FuzzCode(f *testing.F) {
	for _, s := range []string{"123456", " 123 456 ", "123-456", "12a456", "", "１２３４５６", strings.Repeat(" ", 70) + "123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c := NewCode(post(url.Values{"code": {in}}))
		if c.Code != strings.TrimSpace(in) {
			t.Fatalf("Code = %q for %q", c.Code, in)
		}
		_, ok := mfa.CleanCode(c.Code)
		err := c.Problem()
		if want := ok && len(c.Code) <= MaxCode; (err == nil) != want {
			t.Fatalf("Problem() = %v for %q; want ok %v", err, in, want)
		}
		if err != nil && !errors.Is(err, mfa.ErrBadCode) {
			t.Fatalf("Problem() = %v; want mfa.ErrBadCode", err)
		}
		if utf8.ValidString(in) && err == nil && len(c.Code) < 6 {
			t.Fatalf("Problem() = nil for the short %q", c.Code)
		}
	})
}
