package phone

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The parsing below is nyaruka/phonenumbers' Parse, GetRegionCodeForNumber and GetNumberType
// for the input grammar the policy allows (digits and separators, + only first), with each
// region's patterns compiled once. The library builds "^(?:" + pattern + ")$" and looks it up
// in a locked cache on every match, and Parse, IsValidNumber and GetNumberType each worked out
// the region and the type again: three times the regular-expression work for one number.
// reference_test.go holds the library-based version and checks both agree.

// minNSN and maxNSN are libphonenumber's bounds on a national significant number.
const (
	minNSN = 2
	maxNSN = 17
)

// pattern is a number description with its pattern compiled, anchored at both ends.
type pattern struct {
	re      *regexp.Regexp // nil: the description has no pattern and matches nothing
	lengths []int32
	local   []int32
}

// matches is libphonenumber's isNumberMatchingDesc: a possible length, then the pattern.
func (d *pattern) matches(nsn string) bool {
	if d.re == nil {
		return false
	}
	if len(d.lengths) > 0 {
		found := false
		for _, l := range d.lengths {
			if int(l) == len(nsn) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return d.re.MatchString(nsn)
}

// rules are one region's (or non-geographic calling code's) metadata, compiled.
type rules struct {
	region    string
	cc        int
	ccString  string
	idd       *regexp.Regexp // anchored at the start; nil when none
	npp       *regexp.Regexp // anchored at the start; nil when none
	npt       string
	lead      *regexp.Regexp // anchored at the start; nil when none
	same      bool
	general   pattern
	generalNP bool // the general description has no pattern
	// special are the types checked before fixed line and mobile, in the library's order.
	special [8]pattern
	fixed   pattern
	mobile  pattern
}

// specialTypes is the order getNumberTypeHelper checks types in, before fixed line and mobile.
var specialTypes = [8]phonenumbers.PhoneNumberType{phonenumbers.PREMIUM_RATE, phonenumbers.TOLL_FREE,
	phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
	phonenumbers.UAN, phonenumbers.VOICEMAIL}

func compileDesc(d *phonenumbers.PhoneNumberDesc) pattern {
	out := pattern{lengths: d.GetPossibleLength(), local: d.GetPossibleLengthLocalOnly()}
	if p := d.GetNationalNumberPattern(); p != "" {
		out.re = regexp.MustCompile("^(?:" + p + ")$")
	}
	return out
}

func compilePrefix(p string) *regexp.Regexp {
	if p == "" {
		return nil
	}
	return regexp.MustCompile("^(?:" + p + ")")
}

func compileRules(md *phonenumbers.PhoneMetadata) *rules {
	r := &rules{region: md.GetId(), cc: int(md.GetCountryCode()), npt: md.GetNationalPrefixTransformRule(),
		same: md.GetSameMobileAndFixedLinePattern(), general: compileDesc(md.GetGeneralDesc()),
		generalNP: md.GetGeneralDesc().GetNationalNumberPattern() == "",
		idd:       compilePrefix(md.GetInternationalPrefix()), npp: compilePrefix(md.GetNationalPrefixForParsing()),
		lead: compilePrefix(md.GetLeadingDigits()), fixed: compileDesc(md.GetFixedLine()), mobile: compileDesc(md.GetMobile())}
	r.ccString = strconv.Itoa(r.cc)
	for i, d := range []*phonenumbers.PhoneNumberDesc{md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(),
		md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail()} {
		r.special[i] = compileDesc(d)
	}
	return r
}

// numberType is libphonenumber's getNumberTypeHelper.
func (r *rules) numberType(nsn string) phonenumbers.PhoneNumberType {
	if !r.general.matches(nsn) {
		return phonenumbers.UNKNOWN
	}
	for i := range r.special {
		if r.special[i].matches(nsn) {
			return specialTypes[i]
		}
	}
	if r.fixed.matches(nsn) {
		if r.same || r.mobile.matches(nsn) {
			return phonenumbers.FIXED_LINE_OR_MOBILE
		}
		return phonenumbers.FIXED_LINE
	}
	if !r.same && r.mobile.matches(nsn) {
		return phonenumbers.MOBILE
	}
	return phonenumbers.UNKNOWN
}

// testLength is libphonenumber's testNumberLength for an unknown type.
func (r *rules) testLength(nsn string) phonenumbers.ValidationResult {
	lengths := r.general.lengths
	if len(lengths) == 0 || lengths[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	n := int32(len(nsn))
	for _, l := range r.general.local {
		if l == n {
			return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
		}
	}
	switch {
	case lengths[0] == n:
		return phonenumbers.IS_POSSIBLE
	case lengths[0] > n:
		return phonenumbers.TOO_SHORT
	case lengths[len(lengths)-1] < n:
		return phonenumbers.TOO_LONG
	}
	for _, l := range lengths[1:] {
		if l == n {
			return phonenumbers.IS_POSSIBLE
		}
	}
	return phonenumbers.INVALID_LENGTH
}

// generalMatches is the whole general pattern, as the library's national-prefix checks use it
// (without the length check).
func (r *rules) generalMatches(s string) bool {
	if r.general.re == nil {
		return s == ""
	}
	return r.general.re.MatchString(s)
}

// stripNationalPrefix is maybeStripNationalPrefixAndCarrierCode: the number without its trunk
// prefix, or ok false to keep it as it is.
func (r *rules) stripNationalPrefix(num string) (string, bool) {
	if num == "" || r.npp == nil {
		return "", false
	}
	m := r.npp.FindStringSubmatchIndex(num)
	if m == nil {
		return "", false
	}
	viable := r.generalMatches(num)
	groups := len(m)/2 - 1
	if r.npt == "" || m[groups*2] < 0 {
		if viable && !r.generalMatches(num[m[1]:]) {
			return "", false
		}
		return num[m[1]:], true
	}
	transformed := r.npp.ReplaceAllString(num, r.npt)
	if viable && !r.generalMatches(transformed) {
		return "", false
	}
	return transformed, true
}

// table is every region's rules, compiled on first use of the region.
type table struct {
	meta    map[string]*phonenumbers.PhoneMetadata // by region
	nonGeo  map[int]*phonenumbers.PhoneMetadata    // by calling code
	mu      sync.RWMutex
	regions map[string]*rules
	ccRules map[int]*rules
}

var (
	tableOnce sync.Once
	tbl       *table
)

func getTable() *table {
	tableOnce.Do(func() {
		coll, err := phonenumbers.MetadataCollection()
		if err != nil {
			panic(err) // the library's embedded data; cannot fail
		}
		t := &table{meta: map[string]*phonenumbers.PhoneMetadata{}, nonGeo: map[int]*phonenumbers.PhoneMetadata{},
			regions: map[string]*rules{}, ccRules: map[int]*rules{}}
		for _, md := range coll.GetMetadata() {
			if md.GetId() == "001" {
				t.nonGeo[int(md.GetCountryCode())] = md
				continue
			}
			t.meta[md.GetId()] = md
		}
		tbl = t
	})
	return tbl
}

// forRegion returns a region's rules, or nil for a region without metadata.
func (t *table) forRegion(region string) *rules {
	return cachedRules(t, t.regions, t.meta, region)
}

// forCallingCode is getMetadataForRegionOrCallingCode: the main region's rules, or the
// non-geographic entity's.
func (t *table) forCallingCode(cc int) *rules {
	main := phonenumbers.GetRegionCodeForCountryCode(cc)
	if main != "001" {
		return t.forRegion(main)
	}
	return cachedRules(t, t.ccRules, t.nonGeo, cc)
}

// cachedRules returns the rules cached under key in cache, compiling them from meta[key] on
// first use, or nil when meta has none; t.mu guards cache. When two callers compile at once,
// the first stored wins, so that every caller gets the same rules.
func cachedRules[K comparable](t *table, cache map[K]*rules, meta map[K]*phonenumbers.PhoneMetadata, key K) *rules {
	t.mu.RLock()
	r, ok := cache[key]
	t.mu.RUnlock()
	if ok {
		return r
	}
	md := meta[key]
	if md == nil {
		return nil
	}
	r = compileRules(md)
	t.mu.Lock()
	if prev, ok := cache[key]; ok {
		r = prev
	} else {
		cache[key] = r
	}
	t.mu.Unlock()
	return r
}

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
