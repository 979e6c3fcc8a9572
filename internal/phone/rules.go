package phone

import (
	"regexp"
	"strconv"
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
