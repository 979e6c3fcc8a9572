package phone

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language/display"

	"github.com/smsmfa/portal/internal/messages"
)

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
