package phone

import (
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// parseError is how parsing failed, in the library's terms.
type parseError int

const (
	parseOK parseError = iota
	errNotANumber
	errCountryCode
	errTooShort
	errTooLong
)

func digitsOnly(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// extractCountryCode reads a calling code of one to three digits from the start of full.
func extractCountryCode(full string) (int, string) {
	if full == "" || full[0] == '0' {
		return 0, ""
	}
	for i := 1; i <= 3 && i <= len(full); i++ {
		cc, _ := strconv.Atoi(full[:i])
		if len(phonenumbers.GetRegionCodesForCountryCode(cc)) > 0 {
			return cc, full[i:]
		}
	}
	return 0, ""
}

// maybeExtractCountryCode is the library's: a leading +, the picked region's international
// prefix, or the picked region's own calling code in front of a national number.
func maybeExtractCountryCode(number string, md *rules) (int, string, parseError) {
	if number == "" {
		return 0, "", parseOK
	}
	var full string
	fromDefault := false
	if number[0] == '+' {
		full = digitsOnly(strings.TrimLeft(number, "+"))
	} else {
		full = digitsOnly(number)
		fromDefault = true
		if md != nil && md.idd != nil {
			if m := md.idd.FindStringIndex(full); m != nil && (m[1] == len(full) || full[m[1]] != '0') {
				full = full[m[1]:]
				fromDefault = false
			}
		}
	}
	if !fromDefault {
		if len(full) <= minNSN {
			return 0, "", errTooShort
		}
		if cc, rest := extractCountryCode(full); cc != 0 {
			return cc, rest, parseOK
		}
		return 0, "", errCountryCode
	}
	if md != nil && strings.HasPrefix(full, md.ccString) {
		pot := full[len(md.ccString):]
		if stripped, ok := md.stripNationalPrefix(pot); ok {
			pot = stripped
		}
		if (!md.generalMatches(full) && md.generalMatches(pot)) || md.testLength(full) == phonenumbers.TOO_LONG {
			return md.cc, pot, parseOK
		}
	}
	return 0, "", parseOK
}

// viable is isViablePhoneNumber for the allowed grammar: two digits, or three digits or more.
func viable(number string) bool {
	if len(number) < minNSN {
		return false
	}
	digits := 0
	for i := 0; i < len(number); i++ {
		if number[i] >= '0' && number[i] <= '9' {
			digits++
		}
	}
	return digits >= 3 || (digits == 2 && len(number) == 2)
}

// parseNumber is phonenumbers.Parse for input that passed checkCharacters, with region a
// supported region or "". It returns the calling code and the national significant number.
func (t *table) parseNumber(input, region string) (int, string, parseError) {
	// extractPossibleNumber: from the first + or digit. The library means to drop trailing
	// punctuation too, but its pattern for that (Java's class intersection) never matches in
	// Go, so "12(" stays three characters and is not a number.
	start := strings.IndexAny(input, "+0123456789")
	if start < 0 {
		return 0, "", errNotANumber
	}
	number := input[start:]
	if !viable(number) {
		return 0, "", errNotANumber
	}
	var md *rules
	if region != "" {
		md = t.forRegion(region)
	}
	cc, nsn, perr := maybeExtractCountryCode(number, md)
	if perr == errCountryCode && number[0] == '+' {
		cc, nsn, perr = maybeExtractCountryCode(number[1:], md)
		if perr != parseOK {
			return 0, "", perr
		}
		if cc == 0 {
			return 0, "", errCountryCode
		}
	} else if perr != parseOK {
		return 0, "", perr
	}
	if cc != 0 {
		if phonenumbers.GetRegionCodeForCountryCode(cc) != region {
			md = t.forCallingCode(cc)
		}
	} else {
		nsn = digitsOnly(number)
		if md == nil {
			// Unreachable through Policy.Parse, which asks for a region or a +.
			return 0, "", errNotANumber
		}
		cc = md.cc
	}
	if len(nsn) < minNSN {
		return 0, "", errTooShort
	}
	if md != nil {
		if pot, ok := md.stripNationalPrefix(nsn); ok {
			if v := md.testLength(pot); v != phonenumbers.TOO_SHORT && v != phonenumbers.IS_POSSIBLE_LOCAL_ONLY && v != phonenumbers.INVALID_LENGTH {
				nsn = pot
			}
		}
	}
	switch {
	case len(nsn) < minNSN:
		return 0, "", errTooShort
	case len(nsn) > maxNSN:
		return 0, "", errTooLong
	}
	return cc, nsn, parseOK
}

// regionAndType is GetRegionCodeForNumber and GetNumberType in one pass: a region found by
// matching a type already knows the type. It returns the region's rules too, nil when the
// number fits no region of its calling code.
func (t *table) regionAndType(cc int, nsn string) (string, *rules, phonenumbers.PhoneNumberType) {
	list := phonenumbers.GetRegionCodesForCountryCode(cc)
	switch len(list) {
	case 0:
		return "", nil, phonenumbers.UNKNOWN
	case 1:
		if list[0] == "001" {
			return "001", t.forCallingCode(cc), phonenumbers.UNKNOWN
		}
		r := t.forRegion(list[0])
		if r == nil {
			return list[0], nil, phonenumbers.UNKNOWN
		}
		return list[0], r, r.numberType(nsn)
	}
	for _, region := range list {
		r := t.forRegion(region)
		if r == nil {
			continue
		}
		if r.lead != nil {
			if r.lead.MatchString(nsn) {
				return region, r, r.numberType(nsn)
			}
			continue
		}
		if typ := r.numberType(nsn); typ != phonenumbers.UNKNOWN {
			return region, r, typ
		}
	}
	return "", nil, phonenumbers.UNKNOWN
}

// possible is IsPossibleNumberWithReason for a number whose calling code is known.
func (t *table) possible(cc int, nsn string) phonenumbers.ValidationResult {
	r := t.forCallingCode(cc)
	if r == nil {
		return phonenumbers.INVALID_COUNTRY_CODE
	}
	if r.generalNP {
		switch {
		case len(nsn) < minNSN:
			return phonenumbers.TOO_SHORT
		case len(nsn) > maxNSN:
			return phonenumbers.TOO_LONG
		}
		return phonenumbers.IS_POSSIBLE
	}
	return r.testLength(nsn)
}

// toPhoneNumber builds the library's value for formatting, as Parse would have.
func toPhoneNumber(cc int, nsn string) *phonenumbers.PhoneNumber {
	n := &phonenumbers.PhoneNumber{}
	c := int32(cc)
	n.CountryCode = &c
	v, _ := strconv.ParseUint(nsn, 10, 64)
	n.NationalNumber = &v
	if len(nsn) >= 2 && nsn[0] == '0' {
		yes := true
		n.ItalianLeadingZero = &yes
		zeros := 1
		for zeros < len(nsn)-1 && nsn[zeros] == '0' {
			zeros++
		}
		if zeros != 1 {
			z := int32(zeros)
			n.NumberOfLeadingZeros = &z
		}
	}
	return n
}
