package phone

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The browser's metadata is split so that a page loads only what the person's country needs.
// The core file (BrowserCoreFile) holds the calling codes with their regions: enough to know
// which rules a number needs. The sentences (refusals, region names) are not here: the page
// carries them in its own language (BrowserTexts). The rules themselves come in one file per calling
// code (the regions sharing it, such as the 25 of +1, decide between themselves by their
// patterns), loaded when a region is picked or a number's calling code is typed. Group files
// live in a directory named by a hash of them all, and the core names that directory, so every
// file can be cached for good and a page never mixes two versions.

// BrowserCoreFile is the logical name of the core metadata file among BrowserFiles.
const BrowserCoreFile = "phonemeta.json"

// jsDesc is a number description as static/phone.js reads it.
type jsDesc struct {
	Pattern     string  `json:"p"`
	Lengths     []int32 `json:"l,omitempty"`
	LocalLength []int32 `json:"ll,omitempty"`
}

// jsRegion is one region's rules. Only what phone.js reads is sent: the general description
// (patterns and lengths, local-only lengths for the national-prefix check), each type's
// pattern, and each type's lengths only where they differ from the general ones (the general
// description is always checked first, so the same lengths would decide nothing).
type jsRegion struct {
	CountryCode  int32              `json:"cc"`
	IDD          string             `json:"idd,omitempty"`
	NatPrefix    string             `json:"npp,omitempty"`
	NatTransform string             `json:"npt,omitempty"`
	LeadDigits   string             `json:"ld,omitempty"`
	SamePattern  bool               `json:"same,omitempty"`
	General      jsDesc             `json:"g"`
	Types        map[string]*jsDesc `json:"t"`
	// Formats are how a number of this calling code is written internationally (issue #25:
	// the page previews +1 512-520-1234, as the server shows it, not +15125201234); only the
	// calling code's main region carries them, as libphonenumber formats with its rules alone.
	Formats []jsFormat `json:"f,omitempty"`
}

// jsFormat is one international number format: the pattern the national number must match
// whole, the replacement, and the last (most precise) leading-digits pattern, if any.
type jsFormat struct {
	Pattern string `json:"p"`
	Format  string `json:"f"`
	Leading string `json:"ld,omitempty"`
}

// jsFormats are a region's international formats, as libphonenumber's Format(INTERNATIONAL)
// picks them: the international list when there is one, else the national list; "NA" means
// the number has no international format.
func jsFormats(md *phonenumbers.PhoneMetadata) []jsFormat {
	list := md.GetIntlNumberFormat()
	if len(list) == 0 {
		list = md.GetNumberFormat()
	}
	out := make([]jsFormat, 0, len(list))
	for _, f := range list {
		jf := jsFormat{Pattern: f.GetPattern(), Format: f.GetFormat()}
		if ld := f.GetLeadingDigitsPattern(); len(ld) > 0 {
			jf.Leading = ld[len(ld)-1]
		}
		out = append(out, jf)
	}
	return out
}

// jsCore is the core file: calling codes to regions (the main region first) and the path of
// the group files, relative to the core file.
type jsCore struct {
	Groups       string           `json:"g"`
	CallingCodes map[int][]string `json:"cc"`
}

// jsGroup is one calling code's file.
type jsGroup struct {
	CallingCode int                  `json:"cc"`
	Regions     map[string]*jsRegion `json:"r"`
}

func typeDesc(d *phonenumbers.PhoneNumberDesc, general []int32) *jsDesc {
	if d == nil || d.GetNationalNumberPattern() == "" {
		return nil
	}
	out := &jsDesc{Pattern: d.GetNationalNumberPattern()}
	if !slices.Equal(d.PossibleLength, general) {
		out.Lengths = d.PossibleLength
	}
	return out
}

func jsRules(md *phonenumbers.PhoneMetadata) *jsRegion {
	g := md.GetGeneralDesc()
	r := &jsRegion{
		CountryCode:  md.GetCountryCode(),
		IDD:          md.GetInternationalPrefix(),
		NatPrefix:    md.GetNationalPrefixForParsing(),
		NatTransform: md.GetNationalPrefixTransformRule(),
		LeadDigits:   md.GetLeadingDigits(),
		SamePattern:  md.GetSameMobileAndFixedLinePattern(),
		General:      jsDesc{Pattern: g.GetNationalNumberPattern(), Lengths: g.PossibleLength, LocalLength: g.PossibleLengthLocalOnly},
		Types:        map[string]*jsDesc{},
	}
	for key, d := range map[string]*phonenumbers.PhoneNumberDesc{
		"PREMIUM_RATE": md.GetPremiumRate(), "TOLL_FREE": md.GetTollFree(), "SHARED_COST": md.GetSharedCost(),
		"VOIP": md.GetVoip(), "PERSONAL_NUMBER": md.GetPersonalNumber(), "PAGER": md.GetPager(), "UAN": md.GetUan(),
		"VOICEMAIL": md.GetVoicemail(), "FIXED_LINE": md.GetFixedLine(), "MOBILE": md.GetMobile(),
	} {
		if jd := typeDesc(d, g.PossibleLength); jd != nil {
			r.Types[key] = jd
		}
	}
	return r
}

var (
	filesOnce sync.Once
	files     map[string][]byte
)

// BrowserFiles returns the phone metadata the browser validates with, generated from the same
// nyaruka/phonenumbers data the server uses, by logical file name: BrowserCoreFile, and one
// file per calling code under a directory named by their content's hash
// ("phonemeta/<hash>/<calling code>.json"), which the core file names. The map is shared: do
// not modify it.
func BrowserFiles() map[string][]byte {
	filesOnce.Do(func() {
		t := getTable()
		groups := map[int]*jsGroup{}
		core := jsCore{CallingCodes: map[int][]string{}}
		for cc := range phonenumbers.GetSupportedCallingCodes() {
			list := phonenumbers.GetRegionCodesForCountryCode(cc)
			core.CallingCodes[cc] = list
			if list[0] == "001" {
				continue // non-geographic: refused before their rules matter
			}
			g := &jsGroup{CallingCode: cc, Regions: map[string]*jsRegion{}}
			for _, region := range list {
				if md := t.meta[region]; md != nil {
					g.Regions[region] = jsRules(md)
					if region == list[0] {
						g.Regions[region].Formats = jsFormats(md)
					}
				}
			}
			groups[cc] = g
		}
		ccs := make([]int, 0, len(groups))
		for cc := range groups {
			ccs = append(ccs, cc)
		}
		slices.Sort(ccs)
		encoded := make(map[int][]byte, len(groups))
		h := sha256.New()
		for _, cc := range ccs {
			b, err := json.Marshal(groups[cc])
			if err != nil {
				panic(err) // plain data; cannot fail
			}
			encoded[cc] = b
			h.Write(b)
		}
		dir := "phonemeta/" + hex.EncodeToString(h.Sum(nil)[:6]) + "/"
		core.Groups = dir
		files = map[string][]byte{}
		for cc, b := range encoded {
			files[dir+strconv.Itoa(cc)+".json"] = b
		}
		b, err := json.Marshal(core)
		if err != nil {
			panic(err) // plain data; cannot fail
		}
		files[BrowserCoreFile] = b
	})
	return files
}
