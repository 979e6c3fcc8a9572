// Package phonecases is a test fixture: numbers as people type them, for the tests that hold
// the server's phone policy and the browser's (static/phone.js) to the same verdicts. Only
// tests import it, so it is not in the portal's binary.
package phonecases

import (
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Case is a number as typed, with the region picked ("" for none).
type Case struct {
	Input  string `json:"input"`
	Region string `json:"region"`
}

// Examples are the library's example numbers for every region and type, in national
// and international form, and mutations of them: a digit more and less, a trunk 0 after the
// country code, separators, and the wrong country picked.
func Examples() []Case {
	var cases []Case
	types := []phonenumbers.PhoneNumberType{phonenumbers.MOBILE, phonenumbers.FIXED_LINE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.UAN, phonenumbers.PAGER}
	regions := make([]string, 0, 250)
	for r := range phonenumbers.GetSupportedRegions() {
		regions = append(regions, r)
	}
	slices.Sort(regions)
	for i, r := range regions {
		other := regions[(i+7)%len(regions)]
		for _, typ := range types {
			n := phonenumbers.GetExampleNumberForType(r, typ)
			if n == nil {
				continue
			}
			e164 := phonenumbers.Format(n, phonenumbers.E164)
			natl := phonenumbers.Format(n, phonenumbers.NATIONAL)
			intl := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
			cc := strings.TrimPrefix(intl, "+")
			cc = cc[:strings.IndexAny(cc+" ", " ")]
			nsn := phonenumbers.GetNationalSignificantNumber(n)
			cases = append(cases,
				Case{e164, ""}, Case{intl, ""}, Case{natl, r}, Case{natl, other},
				Case{e164 + "5", ""}, Case{e164[:len(e164)-1], ""},
				Case{"+" + cc + " 0" + nsn, ""}, Case{"+" + cc + "." + nsn, ""},
				Case{"(" + nsn[:min(3, len(nsn))] + ") " + nsn[min(3, len(nsn)):], r},
				Case{nsn, r}, Case{"00" + cc + nsn, r},
			)
		}
	}
	return cases
}
