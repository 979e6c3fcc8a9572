package phone

import (
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/smsmfa/portal/internal/messages"
)

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
