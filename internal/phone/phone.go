// Package phone is the portal's phone-number policy on top of nyaruka/phonenumbers: what a
// person may type, which numbers can receive SMS codes, which regions are allowed, how a number
// is shown to people and masked in logs, and the metadata the browser validates with.
package phone

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
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

// Error is a refused number: a reason for code, and the region and number type when known.
type Error struct {
	Reason Reason
	Region string // ISO 3166 code the number belongs to, or the picked one
	Type   string // e.g. "FIXED_LINE", for ReasonNotMobile
}

func (e *Error) Error() string {
	return fmt.Sprintf("phone: %s (region %q, type %q)", e.Reason, e.Region, e.Type)
}

// Message is the sentence shown to the person.
func (e *Error) Message() string { return message(e.Reason, RegionName(e.Region), e.Type) }

// message words a refusal; name is the region's name or "", typ the number type or "".
func message(reason Reason, name, typ string) string {
	switch reason {
	case ReasonEmpty:
		return "Enter your mobile phone number."
	case ReasonCharacters:
		return "Use only digits, spaces and the characters + ( ) - . /"
	case ReasonNoCountry:
		return "Choose your country or region, or start the number with + and the country code."
	case ReasonCountryCode:
		return "That country calling code does not exist. Check the digits after the +."
	case ReasonTooShort:
		if name != "" {
			return "This number is too short for " + name + "."
		}
		return "This number is too short."
	case ReasonTooLong:
		if name != "" {
			return "This number is too long for " + name + "."
		}
		return "This number is too long."
	case ReasonNonGeographic:
		return "This is not a country's phone number. Use a mobile number."
	case ReasonNotMobile:
		return "This looks like " + typeName(typ) + ". Codes are sent by text message, so use a mobile number."
	case ReasonRegion:
		return "Numbers from " + name + " can't be used here. Use a number from another country, or contact the help desk."
	}
	if name != "" {
		return "This is not a valid phone number for " + name + "."
	}
	return "This is not a valid phone number."
}

// MessageTemplates returns every message the browser may show, keyed as static/phone.js looks
// them up: "reason" with {region} for the region's name, "reason/" without a region, and
// "not_mobile/TYPE" per number type. One wording serves both sides.
func MessageTemplates() map[string]string {
	m := map[string]string{}
	for _, r := range []Reason{ReasonEmpty, ReasonCharacters, ReasonNoCountry, ReasonCountryCode, ReasonTooShort,
		ReasonTooLong, ReasonInvalid, ReasonNonGeographic, ReasonRegion} {
		m[string(r)] = message(r, "{region}", "")
		m[string(r)+"/"] = message(r, "", "")
	}
	for _, t := range []string{"", "FIXED_LINE", "TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER", "UAN", "VOICEMAIL"} {
		m["not_mobile/"+t] = message(ReasonNotMobile, "", t)
	}
	return m
}

func typeName(t string) string {
	switch t {
	case "FIXED_LINE":
		return "a landline number"
	case "TOLL_FREE":
		return "a toll-free number"
	case "PREMIUM_RATE":
		return "a premium-rate number"
	case "SHARED_COST":
		return "a shared-cost number"
	case "VOIP":
		return "an internet (VoIP) number"
	case "PERSONAL_NUMBER":
		return "a personal forwarding number"
	case "PAGER":
		return "a pager number"
	case "UAN":
		return "a company switchboard number"
	case "VOICEMAIL":
		return "a voicemail number"
	}
	return "a number that cannot receive text messages"
}

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
	regions []RegionOption  // the picker's choices, built once
}

// NewPolicy returns a policy allowing the given ISO 3166 region codes; none means every region.
// It refuses codes the phone metadata does not know.
func NewPolicy(allowedRegions []string) (*Policy, error) {
	p := &Policy{}
	if len(allowedRegions) == 0 {
		p.regions = p.buildRegions()
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
	p.regions = p.buildRegions()
	return p, nil
}

// Allowed reports whether numbers from the region are accepted.
func (p *Policy) Allowed(region string) bool { return p.allowed == nil || p.allowed[region] }

// AllowedRegions returns the allowed region codes, sorted, or nil for all.
func (p *Policy) AllowedRegions() []string {
	if p.allowed == nil {
		return nil
	}
	out := make([]string, 0, len(p.allowed))
	for r := range p.allowed {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

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

// Parse checks input, typed with region picked (an ISO 3166 code, or "" when the number starts
// with +), and returns the number or an *Error.
func (p *Policy) Parse(input, region string) (Number, error) {
	input = Clean(input)
	region = strings.ToUpper(strings.TrimSpace(region))
	if region != "" && !phonenumbers.GetSupportedRegions()[region] {
		region = ""
	}
	switch {
	case input == "":
		return Number{}, &Error{Reason: ReasonEmpty, Region: region}
	case len(input) > MaxInputLength:
		return Number{}, &Error{Reason: ReasonTooLong, Region: region}
	case !checkCharacters(input):
		return Number{}, &Error{Reason: ReasonCharacters, Region: region}
	case !strings.HasPrefix(input, "+") && region == "":
		return Number{}, &Error{Reason: ReasonNoCountry}
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

func typeString(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.FIXED_LINE:
		return "FIXED_LINE"
	case phonenumbers.MOBILE:
		return "MOBILE"
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return "FIXED_LINE_OR_MOBILE"
	case phonenumbers.TOLL_FREE:
		return "TOLL_FREE"
	case phonenumbers.PREMIUM_RATE:
		return "PREMIUM_RATE"
	case phonenumbers.SHARED_COST:
		return "SHARED_COST"
	case phonenumbers.VOIP:
		return "VOIP"
	case phonenumbers.PERSONAL_NUMBER:
		return "PERSONAL_NUMBER"
	case phonenumbers.PAGER:
		return "PAGER"
	case phonenumbers.UAN:
		return "UAN"
	case phonenumbers.VOICEMAIL:
		return "VOICEMAIL"
	}
	return "UNKNOWN"
}

// Display formats an E.164 number (or PingOne's rendering of one) for people, such as
// +1 512-520-1234; what cannot be parsed is shown as given.
func Display(number string) string {
	n, err := phonenumbers.Parse(normalize(number), "")
	if err != nil {
		return number
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

func normalize(s string) string {
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Mask hides all but the country code and the last four digits, keeping the number's shape:
// +15125201234 becomes "+1 •••-•••-1234". It is what logs and audit records hold.
func Mask(number string) string {
	n, err := phonenumbers.Parse(normalize(number), "")
	if err != nil {
		d := strings.TrimPrefix(normalize(number), "+")
		if len(d) <= 4 {
			return "•••"
		}
		return "•••" + d[len(d)-4:]
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
	return b.String()
}

// RegionName returns the region's English name, or "" for an unknown code.
func RegionName(code string) string {
	if code == "" {
		return ""
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return ""
	}
	if name := display.English.Regions().Name(r); name != "" && name != "Unknown Region" {
		return name
	}
	return code
}

// RegionOption is a choice in the country-or-region picker.
type RegionOption struct {
	Code        string // ISO 3166
	Name        string
	CallingCode int
	// Label is what the picker shows, such as "United States (+1)".
	Label string
}

// Regions returns the picker's choices: the allowed regions, by name. Every add-phone page
// renders them, so they are built once with the policy; the slice is shared: do not modify it.
func (p *Policy) Regions() []RegionOption { return p.regions }

func (p *Policy) buildRegions() []RegionOption {
	var out []RegionOption
	for r := range phonenumbers.GetSupportedRegions() {
		if !p.Allowed(r) {
			continue
		}
		name, cc := RegionName(r), phonenumbers.GetCountryCodeForRegion(r)
		out = append(out, RegionOption{Code: r, Name: name, CallingCode: cc, Label: name + " (+" + strconv.Itoa(cc) + ")"})
	}
	slices.SortFunc(out, func(a, b RegionOption) int { return strings.Compare(a.Name, b.Name) })
	return out
}
