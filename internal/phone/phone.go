// Package phone is the portal's phone-number policy on top of nyaruka/phonenumbers: what a
// person may type, which numbers can receive SMS codes, which regions are allowed, how a number
// is shown to people and masked in logs, and the metadata the browser validates with.
package phone

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"

	"github.com/smsmfa/portal/pingone"
)

// Reason says why a number was refused.
type Reason string

// The reasons a number is refused. The browser's validator (static/phone.js) uses the same
// codes, so both say the same thing.
const (
	ReasonEmpty         Reason = "empty"
	ReasonCharacters    Reason = "characters"
	ReasonNoCountry     Reason = "no_country"
	ReasonCountryCode   Reason = "country_code"
	ReasonTooShort      Reason = "too_short"
	ReasonTooLong       Reason = "too_long"
	ReasonInvalid       Reason = "invalid"
	ReasonNonGeographic Reason = "non_geographic"
	ReasonNotMobile     Reason = "not_mobile"
	ReasonRegion        Reason = "region"
)

// MaxInputLength bounds what a person may type; no phone number with separators is longer.
const MaxInputLength = 40

// Number is an accepted phone number.
type Number struct {
	// E164 is what PingOne is sent, such as +15125201234.
	E164 string
	// International is what people see, such as +1 512-520-1234.
	International string
	// Region is the ISO 3166 code of the number's country or region.
	Region string
	// Type is MOBILE or FIXED_LINE_OR_MOBILE.
	Type string
}

// Policy decides which numbers are accepted.
type Policy struct {
	allowed map[string]bool // nil: every region
	regions *sync.Map       // language tag -> the picker's choices in that language
}

// NewPolicy returns a policy allowing the given ISO 3166 region codes; none means every region.
// It refuses codes the phone metadata does not know.
func NewPolicy(allowedRegions []string) (*Policy, error) {
	p := &Policy{regions: &sync.Map{}}
	if len(allowedRegions) == 0 {
		return p, nil
	}
	supported := phonenumbers.GetSupportedRegions()
	p.allowed = map[string]bool{}
	var bad []string
	for _, r := range allowedRegions {
		r = strings.ToUpper(strings.TrimSpace(r))
		if !supported[r] {
			bad = append(bad, r)
			continue
		}
		p.allowed[r] = true
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("unknown region codes %s (use ISO 3166 alpha-2 codes such as US, GB, DE)", strings.Join(bad, ", "))
	}
	return p, nil
}

// Allowed reports whether numbers from the region are accepted.
func (p *Policy) Allowed(region string) bool { return p.allowed == nil || p.allowed[region] }

// checkCharacters applies the input grammar the browser applies too: digits and the usual
// separators, with + only first. Letters (vanity numbers, "ext.") are refused rather than
// guessed at.
func checkCharacters(s string) bool {
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == ' ', r == '.', r == '-', r == '(', r == ')', r == '/':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return true
}

// Clean trims the input and folds the white space a phone keyboard or a paste may bring.
func Clean(input string) string {
	input = strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u2007', '\u202f', '\t':
			return ' '
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
			return '-'
		case '\uff0b':
			return '+'
		}
		return r
	}, input)
	return strings.TrimSpace(input)
}

// precheck cleans input and region (a region without metadata becomes "") and answers the
// *Error for input that no parser needs to see: empty, too long, with other characters, or
// without a country.
func precheck(input, region string) (string, string, error) {
	input = Clean(input)
	region = strings.ToUpper(strings.TrimSpace(region))
	if region != "" && !phonenumbers.GetSupportedRegions()[region] {
		region = ""
	}
	switch {
	case input == "":
		return "", "", &Error{Reason: ReasonEmpty, Region: region}
	case len(input) > MaxInputLength:
		return "", "", &Error{Reason: ReasonTooLong, Region: region}
	case !checkCharacters(input):
		return "", "", &Error{Reason: ReasonCharacters, Region: region}
	case !strings.HasPrefix(input, "+") && region == "":
		return "", "", &Error{Reason: ReasonNoCountry}
	}
	return input, region, nil
}

// Check answers the *Error for input that no parser needs to see (precheck): empty, too long,
// with other characters, or without a country; nil when the number is worth parsing. Parse
// gives the same answer first.
func Check(input, region string) error {
	_, _, err := precheck(input, region)
	return err
}

// Parse checks input, typed with region picked (an ISO 3166 code, or "" when the number starts
// with +), and returns the number or an *Error.
func (p *Policy) Parse(input, region string) (Number, error) {
	input, region, err := precheck(input, region)
	if err != nil {
		return Number{}, err
	}
	t := getTable()
	cc, nsn, perr := t.parseNumber(input, region)
	switch perr {
	case errCountryCode:
		return Number{}, &Error{Reason: ReasonCountryCode, Region: region}
	case errTooShort:
		return Number{}, &Error{Reason: ReasonTooShort, Region: region}
	case errTooLong:
		return Number{}, &Error{Reason: ReasonTooLong, Region: region}
	case errNotANumber:
		return Number{}, &Error{Reason: ReasonInvalid, Region: region}
	}
	numRegion, _, typ := t.regionAndType(cc, nsn)
	if numRegion == "001" {
		return Number{}, &Error{Reason: ReasonNonGeographic}
	}
	msgRegion := numRegion
	if msgRegion == "" {
		msgRegion = phonenumbers.GetRegionCodeForCountryCode(cc)
	}
	// IsValidNumber: a region of the calling code, and a type in that region's metadata.
	if numRegion == "" || typ == phonenumbers.UNKNOWN {
		switch t.possible(cc, nsn) {
		case phonenumbers.TOO_SHORT:
			return Number{}, &Error{Reason: ReasonTooShort, Region: msgRegion}
		case phonenumbers.TOO_LONG:
			return Number{}, &Error{Reason: ReasonTooLong, Region: msgRegion}
		}
		return Number{}, &Error{Reason: ReasonInvalid, Region: msgRegion}
	}
	if typ != phonenumbers.MOBILE && typ != phonenumbers.FIXED_LINE_OR_MOBILE {
		return Number{}, &Error{Reason: ReasonNotMobile, Region: numRegion, Type: typeString(typ)}
	}
	if !p.Allowed(numRegion) {
		return Number{}, &Error{Reason: ReasonRegion, Region: numRegion}
	}
	return Number{
		E164:          "+" + strconv.Itoa(cc) + nsn,
		International: phonenumbers.Format(toPhoneNumber(cc, nsn), phonenumbers.INTERNATIONAL),
		Region:        numRegion,
		Type:          typeString(typ),
	}, nil
}

// typeNames are the libphonenumber types as errors and metadata name them.
var typeNames = map[phonenumbers.PhoneNumberType]string{
	phonenumbers.FIXED_LINE:           "FIXED_LINE",
	phonenumbers.MOBILE:               "MOBILE",
	phonenumbers.FIXED_LINE_OR_MOBILE: "FIXED_LINE_OR_MOBILE",
	phonenumbers.TOLL_FREE:            "TOLL_FREE",
	phonenumbers.PREMIUM_RATE:         "PREMIUM_RATE",
	phonenumbers.SHARED_COST:          "SHARED_COST",
	phonenumbers.VOIP:                 "VOIP",
	phonenumbers.PERSONAL_NUMBER:      "PERSONAL_NUMBER",
	phonenumbers.PAGER:                "PAGER",
	phonenumbers.UAN:                  "UAN",
	phonenumbers.VOICEMAIL:            "VOICEMAIL",
}

func typeString(t phonenumbers.PhoneNumberType) string {
	if name, ok := typeNames[t]; ok {
		return name
	}
	return "UNKNOWN"
}

// Shown formats an E.164 number (or PingOne's rendering of one) two ways from one parse:
// display for people, such as +1 512-520-1234 (what cannot be parsed is shown as given), and
// masked, all but the country code and the last four digits hidden in the number's shape,
// such as "+1 •••-•••-1234", which is what logs and audit records hold. Every phone the
// portal lists carries both.
func Shown(number string) (display, masked string) {
	n, err := phonenumbers.Parse(pingone.NormalizePhone(number), "")
	if err != nil {
		d := strings.TrimPrefix(pingone.NormalizePhone(number), "+")
		if len(d) <= 4 {
			return number, "•••"
		}
		return number, "•••" + d[len(d)-4:]
	}
	intl := phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
	cc := fmt.Sprintf("+%d", n.GetCountryCode())
	rest := strings.TrimPrefix(intl, cc)
	digits := 0
	for _, r := range rest {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	var b strings.Builder
	b.WriteString(cc)
	seen := 0
	for _, r := range rest {
		if r >= '0' && r <= '9' {
			seen++
			if seen <= digits-4 {
				b.WriteString("•")
				continue
			}
		}
		b.WriteRune(r)
	}
	return intl, b.String()
}
