package phone

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// jsDesc is a number description as static/phone.js reads it.
type jsDesc struct {
	Pattern     string  `json:"p"`
	Lengths     []int32 `json:"l,omitempty"`
	LocalLength []int32 `json:"ll,omitempty"`
}

type jsRegion struct {
	CountryCode  int32              `json:"cc"`
	IDD          string             `json:"idd,omitempty"`
	NatPrefix    string             `json:"npp,omitempty"`
	NatTransform string             `json:"npt,omitempty"`
	LeadDigits   string             `json:"ld,omitempty"`
	SamePattern  bool               `json:"same,omitempty"`
	General      jsDesc             `json:"g"`
	Types        map[string]*jsDesc `json:"t"`
}

type jsMetadata struct {
	Regions      map[string]*jsRegion `json:"r"`
	CallingCodes map[int][]string     `json:"cc"`
	Names        map[string]string    `json:"n"`
	Messages     map[string]string    `json:"m"`
}

func desc(d *phonenumbers.PhoneNumberDesc) *jsDesc {
	if d == nil || d.GetNationalNumberPattern() == "" {
		return nil
	}
	return &jsDesc{Pattern: d.GetNationalNumberPattern(), Lengths: d.PossibleLength, LocalLength: d.PossibleLengthLocalOnly}
}

var (
	metaOnce sync.Once
	metaJSON []byte
	metaHash string
)

// BrowserMetadata returns the phone metadata the browser validates with, as JSON generated from
// the same nyaruka/phonenumbers data the server uses, and a short hash of it for cache-busting
// file names. Only what the validation needs is included: patterns, lengths, prefixes.
func BrowserMetadata() (data []byte, hash string) {
	metaOnce.Do(func() {
		m := jsMetadata{Regions: map[string]*jsRegion{}, CallingCodes: map[int][]string{}, Names: map[string]string{},
			Messages: MessageTemplates()}
		for cc := range phonenumbers.GetSupportedCallingCodes() {
			m.CallingCodes[cc] = phonenumbers.GetRegionCodesForCountryCode(cc)
		}
		coll, err := phonenumbers.MetadataCollection()
		if err != nil {
			panic(err) // the library's embedded data; cannot fail
		}
		for _, md := range coll.GetMetadata() {
			region := md.GetId()
			if !phonenumbers.GetSupportedRegions()[region] {
				continue // non-geographic entities: the policy refuses them before their metadata matters
			}
			r := &jsRegion{
				CountryCode:  md.GetCountryCode(),
				IDD:          md.GetInternationalPrefix(),
				NatPrefix:    md.GetNationalPrefixForParsing(),
				NatTransform: md.GetNationalPrefixTransformRule(),
				LeadDigits:   md.GetLeadingDigits(),
				SamePattern:  md.GetSameMobileAndFixedLinePattern(),
				Types:        map[string]*jsDesc{},
			}
			if g := desc(md.GetGeneralDesc()); g != nil {
				r.General = *g
			}
			for key, d := range map[string]*phonenumbers.PhoneNumberDesc{
				"PREMIUM_RATE": md.GetPremiumRate(), "TOLL_FREE": md.GetTollFree(), "SHARED_COST": md.GetSharedCost(),
				"VOIP": md.GetVoip(), "PERSONAL_NUMBER": md.GetPersonalNumber(), "PAGER": md.GetPager(), "UAN": md.GetUan(),
				"VOICEMAIL": md.GetVoicemail(), "FIXED_LINE": md.GetFixedLine(), "MOBILE": md.GetMobile(),
			} {
				if jd := desc(d); jd != nil {
					r.Types[key] = jd
				}
			}
			m.Regions[region] = r
			m.Names[region] = RegionName(region)
		}
		metaJSON, err = json.Marshal(m)
		if err != nil {
			panic(err) // plain data; cannot fail
		}
		sum := sha256.Sum256(metaJSON)
		metaHash = hex.EncodeToString(sum[:6])
	})
	return metaJSON, metaHash
}
