// Package phone is the portal's phone-number policy on top of nyaruka/phonenumbers: what a
// person may type, which numbers can receive SMS codes, which regions are allowed, how a number
// is shown to people and masked in logs, and the metadata the browser validates with.
package phone

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/smsmfa/portal/internal/messages"
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

// Error is a refused number: a reason for code, and the region and number type when known.
type Error struct {
	Reason Reason
	Region string // ISO 3166 code the number belongs to, or the picked one
	Type   string // e.g. "FIXED_LINE", for ReasonNotMobile
}

func (e *Error) Error() string {
	return fmt.Sprintf("phone: %s (region %q, type %q)", e.Reason, e.Region, e.Type)
}

// Message is the sentence shown to the person, in English (tests and tools; pages use
// MessageIn).
func (e *Error) Message() string { return e.MessageIn(messages.English()) }

// MessageIn is the sentence shown to the person, in the printer's language, the region named
// in that language.
func (e *Error) MessageIn(p *messages.Printer) string {
	key, withRegion := messageKey(e.Reason, e.Type, e.Region != "")
	if withRegion {
		return p.T(key, messages.Data{"Region": RegionNameIn(p, e.Region)})
	}
	return p.T(key, nil)
}

// reasonKeys word each reason: the first key names the region ({{.Region}}), the second does
// not (a number whose region is unknown). Reasons without a region have one key twice.
var reasonKeys = map[Reason][2]messages.Key{
	ReasonEmpty:         {messages.PhoneEmpty, messages.PhoneEmpty},
	ReasonCharacters:    {messages.PhoneCharacters, messages.PhoneCharacters},
	ReasonNoCountry:     {messages.PhoneNoCountry, messages.PhoneNoCountry},
	ReasonCountryCode:   {messages.PhoneCountryCode, messages.PhoneCountryCode},
	ReasonTooShort:      {messages.PhoneTooShortIn, messages.PhoneTooShort},
	ReasonTooLong:       {messages.PhoneTooLongIn, messages.PhoneTooLong},
	ReasonInvalid:       {messages.PhoneInvalidIn, messages.PhoneInvalid},
	ReasonNonGeographic: {messages.PhoneNonGeographic, messages.PhoneNonGeographic},
	ReasonRegion:        {messages.PhoneRegion, messages.PhoneInvalid},
}

// notMobileKeys word a number that cannot receive texts, by its type; other types get
// messages.PhoneNotMobileOther.
var notMobileKeys = map[string]messages.Key{
	"FIXED_LINE":      messages.PhoneNotMobileFixedLine,
	"TOLL_FREE":       messages.PhoneNotMobileTollFree,
	"PREMIUM_RATE":    messages.PhoneNotMobilePremiumRate,
	"SHARED_COST":     messages.PhoneNotMobileSharedCost,
	"VOIP":            messages.PhoneNotMobileVoip,
	"PERSONAL_NUMBER": messages.PhoneNotMobilePersonalNumber,
	"PAGER":           messages.PhoneNotMobilePager,
	"UAN":             messages.PhoneNotMobileUan,
	"VOICEMAIL":       messages.PhoneNotMobileVoicemail,
}

// messageKey is the catalog key of a refusal, and whether it takes the region's name.
func messageKey(reason Reason, typ string, hasRegion bool) (messages.Key, bool) {
	if reason == ReasonNotMobile {
		if k, ok := notMobileKeys[typ]; ok {
			return k, false
		}
		return messages.PhoneNotMobileOther, false
	}
	keys, ok := reasonKeys[reason]
	if !ok {
		keys = reasonKeys[ReasonInvalid]
	}
	if hasRegion && keys[0] != keys[1] {
		return keys[0], true
	}
	return keys[1], false
}

// MessageTemplates returns every refusal the browser may show, in the printer's language,
// keyed as static/phone.js looks them up: "reason" with {region} for the region's name,
// "reason/" without a region, and "not_mobile/TYPE" per number type. One wording serves both
// sides; the page carries them (BrowserTexts), so the script holds no sentence of its own.
func MessageTemplates(p *messages.Printer) map[string]string {
	m := map[string]string{}
	for _, r := range []Reason{ReasonEmpty, ReasonCharacters, ReasonNoCountry, ReasonCountryCode, ReasonTooShort,
		ReasonTooLong, ReasonInvalid, ReasonNonGeographic, ReasonRegion} {
		if key, withRegion := messageKey(r, "", true); withRegion {
			m[string(r)] = p.T(key, messages.Data{"Region": "{region}"})
		} else {
			m[string(r)] = p.T(key, nil)
		}
		key, _ := messageKey(r, "", false)
		m[string(r)+"/"] = p.T(key, nil)
	}
	for _, t := range []string{"", "FIXED_LINE", "TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER", "UAN", "VOICEMAIL"} {
		key, _ := messageKey(ReasonNotMobile, t, false)
		m["not_mobile/"+t] = p.T(key, nil)
	}
	return m
}

// BrowserText is what the add-phone page gives its script, in the page's language: the
// refusals (MessageTemplates) and every region's name.
type BrowserText struct {
	Messages map[string]string `json:"m"`
	Names    map[string]string `json:"n"`
}

// BrowserTexts returns the refusals and region names the page's script words its verdicts
// with, in the printer's language (pages take them as JSON, once per language:
// BrowserTextsJSON).
func BrowserTexts(p *messages.Printer) BrowserText {
	bt := BrowserText{Messages: MessageTemplates(p), Names: map[string]string{}}
	regions := display.Regions(p.Tag())
	for r := range phonenumbers.GetSupportedRegions() {
		bt.Names[r] = regionName(regions, r)
	}
	return bt
}

var browserTextsJSON sync.Map // language tag -> string

// BrowserTextsJSON is BrowserTexts as JSON, encoded once per language: every add-phone page
// carries it, and encoding some 250 names on every page cost more than the rest of the page.
// The JSON is HTML-safe (<, > and & escaped), as a script element needs.
func BrowserTextsJSON(p *messages.Printer) string {
	if v, ok := browserTextsJSON.Load(p.Lang()); ok {
		return v.(string)
	}
	b, err := json.Marshal(BrowserTexts(p))
	if err != nil {
		panic(err) // maps of strings always encode
	}
	browserTextsJSON.Store(p.Lang(), string(b))
	return string(b)
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

// RegionOf returns the ISO 3166 code of the country or region an E.164 number belongs to, or ""
// when it belongs to none (an unknown or non-geographic number).
func RegionOf(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	if r := phonenumbers.GetRegionCodeForNumber(n); r != "001" && r != "ZZ" {
		return r
	}
	return ""
}

// RegionName returns the region's English name, or "" for an unknown code.
func RegionName(code string) string { return RegionNameIn(messages.English(), code) }

// RegionNameIn returns the region's name in the printer's language (CLDR's, from
// x/text/language/display), or "" for an unknown code.
func RegionNameIn(p *messages.Printer, code string) string {
	return regionName(display.Regions(p.Tag()), code)
}

// regionName is RegionNameIn with the language's region namer made once by the caller.
func regionName(regions display.Namer, code string) string {
	if code == "" {
		return ""
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return ""
	}
	if name := regions.Name(r); name != "" && name != regions.Name(unknownRegion) && name != "Unknown Region" {
		return name
	}
	return code
}

var unknownRegion = language.MustParseRegion("ZZ")

// RegionOption is a choice in the country-or-region picker.
type RegionOption struct {
	Code string // ISO 3166
	Name string
	// Label is what the picker shows, such as "United States (+1)".
	Label string
}

// RegionsIn returns the picker's choices in the printer's language: the allowed regions,
// named in that language and sorted the way it sorts (x/text/collate). Every add-phone page
// renders them, so they are built once per language; the slice is shared: do not modify it.
func (p *Policy) RegionsIn(pr *messages.Printer) []RegionOption {
	if v, ok := p.regions.Load(pr.Lang()); ok {
		return v.([]RegionOption)
	}
	out := p.buildRegions(pr)
	p.regions.Store(pr.Lang(), out)
	return out
}

func (p *Policy) buildRegions(pr *messages.Printer) []RegionOption {
	var out []RegionOption
	rtl := pr.Dir() == "rtl"
	for r := range phonenumbers.GetSupportedRegions() {
		if !p.Allowed(r) {
			continue
		}
		name, cc := RegionNameIn(pr, r), phonenumbers.GetCountryCodeForRegion(r)
		code := "(+" + strconv.Itoa(cc) + ")"
		if rtl {
			// The calling code reads left to right inside right-to-left text (an isolate
			// keeps "+" and the brackets in place).
			code = "\u2066" + code + "\u2069"
		}
		out = append(out, RegionOption{Code: r, Name: name, Label: name + " " + code})
	}
	col := pr.Collator()
	slices.SortFunc(out, func(a, b RegionOption) int {
		if c := col.CompareString(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out
}
