package phone

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// referenceParse is Policy.Parse as it was written on nyaruka/phonenumbers' own Parse,
// IsValidNumber and GetNumberType before those were replaced by precompiled rules (rules.go).
// It is kept as the yardstick: both must reach the same verdict on every number.
func referenceParse(p *Policy, input, region string) (Number, error) {
	input, region, err := precheck(input, region)
	if err != nil {
		return Number{}, err
	}
	n, err := phonenumbers.Parse(input, region)
	if err != nil {
		switch err {
		case phonenumbers.ErrInvalidCountryCode:
			return Number{}, &Error{Reason: ReasonCountryCode, Region: region}
		case phonenumbers.ErrTooShortNSN, phonenumbers.ErrTooShortAfterIDD:
			return Number{}, &Error{Reason: ReasonTooShort, Region: region}
		case phonenumbers.ErrNumTooLong:
			return Number{}, &Error{Reason: ReasonTooLong, Region: region}
		}
		return Number{}, &Error{Reason: ReasonInvalid, Region: region}
	}
	numRegion := phonenumbers.GetRegionCodeForNumber(n)
	if numRegion == "001" {
		return Number{}, &Error{Reason: ReasonNonGeographic}
	}
	msgRegion := numRegion
	if msgRegion == "" {
		msgRegion = phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
	}
	if !phonenumbers.IsValidNumber(n) {
		switch phonenumbers.IsPossibleNumberWithReason(n) {
		case phonenumbers.TOO_SHORT:
			return Number{}, &Error{Reason: ReasonTooShort, Region: msgRegion}
		case phonenumbers.TOO_LONG:
			return Number{}, &Error{Reason: ReasonTooLong, Region: msgRegion}
		}
		return Number{}, &Error{Reason: ReasonInvalid, Region: msgRegion}
	}
	typ := phonenumbers.GetNumberType(n)
	if typ != phonenumbers.MOBILE && typ != phonenumbers.FIXED_LINE_OR_MOBILE {
		return Number{}, &Error{Reason: ReasonNotMobile, Region: numRegion, Type: typeString(typ)}
	}
	if !p.Allowed(numRegion) {
		return Number{}, &Error{Reason: ReasonRegion, Region: numRegion}
	}
	return Number{
		E164:          phonenumbers.Format(n, phonenumbers.E164),
		International: phonenumbers.Format(n, phonenumbers.INTERNATIONAL),
		Region:        numRegion,
		Type:          typeString(typ),
	}, nil
}

// sameVerdict returns "" when Parse and referenceParse agree on the input, or what differs.
func sameVerdict(p *Policy, input, region string) string {
	got, gotErr := p.Parse(input, region)
	want, wantErr := referenceParse(p, input, region)
	var ge, we *Error
	errors.As(gotErr, &ge)
	errors.As(wantErr, &we)
	switch {
	case (gotErr == nil) != (wantErr == nil):
		return "one accepts, the other refuses: " + describeParse(got, ge) + " vs reference " + describeParse(want, we)
	case gotErr != nil && *ge != *we:
		return describeParse(got, ge) + " vs reference " + describeParse(want, we)
	case gotErr == nil && got != want:
		return describeParse(got, nil) + " vs reference " + describeParse(want, nil)
	}
	return ""
}

func describeParse(n Number, e *Error) string {
	if e != nil {
		return e.Error()
	}
	return n.E164 + " " + n.International + " " + n.Region + " " + n.Type
}

// TestParseMatchesTheLibrary holds the precompiled Parse to the library's verdict, region and
// type for every example number and its mutations (the same 11,000 numbers the browser is held
// to), for a policy allowing all regions and one allowing a few, and for the picked region of
// every supported country, plus random digit strings in every region.
func TestParseMatchesTheLibrary(t *testing.T) {
	all, _ := NewPolicy(nil)
	few, _ := NewPolicy([]string{"US", "GB", "DE", "IN"})
	cases := ExampleCases()
	var diffs []string
	for _, c := range cases {
		for _, p := range []*Policy{all, few} {
			if d := sameVerdict(p, c.Input, c.Region); d != "" {
				diffs = append(diffs, c.Input+" ["+c.Region+"]: "+d)
			}
		}
	}
	// Random digit strings of every length in every region, national and international, with
	// and without a trunk or international prefix: the paths example numbers do not reach.
	rng := rand.New(rand.NewPCG(15, 15))
	random := 0
	for r := range phonenumbers.GetSupportedRegions() {
		for range 12 {
			var b strings.Builder
			for range 1 + rng.IntN(18) {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
			s := b.String()
			for _, in := range []string{s, "0" + s, "00" + s, "+" + s, "+" + s[:min(2, len(s))] + " 0" + s[min(2, len(s)):], "011" + s, "8" + s} {
				random++
				if d := sameVerdict(all, in, r); d != "" {
					diffs = append(diffs, in+" ["+r+"]: "+d)
				}
			}
		}
	}
	t.Logf("%d example numbers and %d random ones compared", len(cases), random)
	if len(diffs) > 0 {
		t.Errorf("%d differences from the library:\n%s", len(diffs), strings.Join(diffs[:min(len(diffs), 40)], "\n"))
	}
}

// FuzzParseMatchesTheLibrary looks for any input where the precompiled Parse and the
// library-based one disagree.
func FuzzParseMatchesTheLibrary(f *testing.F) {
	for _, s := range []string{"+1.5125201234", "+1 (512) 520-1234", "0532 123 45 67", "00 44 7400 123456", "+", "((((",
		"+0", "1/2/3", "8 800 555 35 35", "011 44 20 7946 0018", "+39 06 1234 5678", "0049 030 1234567"} {
		for _, r := range []string{"US", "TR", "RU", "IT", "DE", "AR", "MX", ""} {
			f.Add(s, r)
		}
	}
	p, _ := NewPolicy(nil)
	f.Fuzz(func(t *testing.T, input, region string) {
		if d := sameVerdict(p, input, region); d != "" {
			t.Fatalf("Parse(%q, %q): %s", input, region, d)
		}
	})
}

// TestParseConcurrently parses from many goroutines at once while regions' rules are compiled
// on first use; run with -race.
func TestParseConcurrently(t *testing.T) {
	p, _ := NewPolicy(nil)
	cases := ExampleCases()
	done := make(chan string)
	for w := range 8 {
		go func() {
			for i := w; i < len(cases); i += 8 {
				if d := sameVerdict(p, cases[i].Input, cases[i].Region); d != "" {
					done <- cases[i].Input + ": " + d
					return
				}
			}
			done <- ""
		}()
	}
	for range 8 {
		if d := <-done; d != "" {
			t.Error(d)
		}
	}
}
