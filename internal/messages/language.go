package messages

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Language is one language the catalog has a file for.
type Language struct {
	// Tag is the BCP 47 tag, as <html lang> takes it: "en", "de", "pt-BR", "zh-Hans", "ar".
	Tag string
	// Name is the language's name in itself ("Deutsch", "العربية"), as a language picker shows it.
	Name string
	// Dir is "rtl" for a right-to-left language, else "ltr".
	Dir string
}

var (
	supportedOnce sync.Once
	supported     []language.Tag
	matcher       language.Matcher
	languages     []Language
)

// loadLanguages lists the catalog's languages, English first, then by tag.
func loadLanguages() {
	supportedOnce.Do(func() {
		tags := slices.Clone(bundle.LanguageTags())
		slices.SortFunc(tags, func(a, b language.Tag) int {
			switch {
			case a == language.English:
				return -1
			case b == language.English:
				return 1
			}
			return strings.Compare(a.String(), b.String())
		})
		supported = tags
		matcher = language.NewMatcher(tags)
		for _, t := range tags {
			languages = append(languages, Language{Tag: t.String(), Name: autonym(t), Dir: direction(t)})
		}
	})
}

// autonym is a language's own name from CLDR, its first letter capitalised as a picker shows
// it ("Français", not "français").
func autonym(t language.Tag) string {
	name := display.Self.Name(t)
	if name == "" {
		return t.String()
	}
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[n:]
}

// rtlScripts are the scripts written right to left.
var rtlScripts = map[string]bool{"Arab": true, "Hebr": true, "Thaa": true, "Syrc": true, "Nkoo": true, "Adlm": true, "Rohg": true}

// direction is "rtl" for a language written right to left (by its likely script), else "ltr".
func direction(t language.Tag) string {
	if s, _ := t.Script(); rtlScripts[s.String()] {
		return "rtl"
	}
	return "ltr"
}

// Languages returns the catalog's languages, English first. The slice is shared: do not
// modify it.
func Languages() []Language {
	loadLanguages()
	return languages
}

// Match returns the catalog's language that best serves the first of the candidates that it
// can serve, each a BCP 47 tag ("de", "pt-br") or an Accept-Language value ("fr-CH, fr;q=0.9,
// en;q=0.8"); ok is false when none is served (English is then the fallback). A candidate
// matched only vaguely (a related language, say) does not count.
func Match(candidates ...string) (tag string, ok bool) {
	loadLanguages()
	for _, c := range candidates {
		c = strings.TrimSpace(c)
		if c == "" || len(c) > 200 {
			continue
		}
		if tag, ok := matchOne(c); ok {
			return tag, true
		}
	}
	return "", false
}

// matchCap bounds the remembered answers of matchOne: the few Accept-Language values real
// browsers send fit many times over; values made up to fill it are simply not remembered.
const matchCap = 4096

var (
	matched      sync.Map // candidate → matchResult
	matchedCount atomic.Int64
)

type matchResult struct {
	tag string
	ok  bool
}

// matchOne is Match for one candidate, remembered: every request asks it for the same few
// values, and the language matcher is costly.
func matchOne(c string) (string, bool) {
	if r, hit := matched.Load(c); hit {
		return r.(matchResult).tag, r.(matchResult).ok
	}
	tag, ok := matchUncached(c)
	if matchedCount.Load() < matchCap {
		if _, loaded := matched.LoadOrStore(c, matchResult{tag, ok}); !loaded {
			matchedCount.Add(1)
		}
	}
	return tag, ok
}

// matchUncached returns the catalog's language for one candidate.
func matchUncached(c string) (tag string, ok bool) {
	var tags []language.Tag
	if strings.ContainsAny(c, ",;") {
		tags, _, _ = language.ParseAcceptLanguage(c)
	} else if t, err := language.Parse(strings.ReplaceAll(c, "_", "-")); err == nil {
		tags = []language.Tag{t}
	}
	for _, t := range tags {
		// The matcher offers English with high confidence for some languages whose
		// speakers often read it (Swahili); only the same language counts here.
		_, i, conf := matcher.Match(t)
		want, _ := t.Base()
		got, _ := supported[i].Base()
		if conf >= language.High && want == got {
			return supported[i].String(), true
		}
	}
	return "", false
}

// Dir is the printer's writing direction: "rtl" or "ltr".
func (p *Printer) Dir() string { return p.dir }

// Tag is the printer's language.
func (p *Printer) Tag() language.Tag { return p.tag }

// Collator returns a collator for sorting names the way the printer's language sorts them.
func (p *Printer) Collator() *collate.Collator { return collate.New(p.tag) }

// Date words a calendar date (in UTC) the way the printer's language writes it, with the
// layout and month names of its catalog ("2 Jan 2026", "2. Januar 2026", "2026年1月2日").
func (p *Printer) Date(t time.Time) string {
	t = t.UTC()
	return p.T(FormatDate, Data{"Day": t.Day(), "Month": p.T(monthKeys[t.Month()-1], nil),
		"MonthNumber": int(t.Month()), "Year": t.Year()})
}

// Time words a time of day (in UTC, which the page says) the way the printer's language does.
func (p *Printer) Time(t time.Time) string {
	t = t.UTC()
	return p.T(FormatTime, Data{"Hour": twoDigits(t.Hour()), "Minute": twoDigits(t.Minute()),
		"Second": twoDigits(t.Second())})
}

// DateTime words a date and a time of day.
func (p *Printer) DateTime(t time.Time) string {
	return p.T(FormatDateTime, Data{"Date": p.Date(t), "Time": p.Time(t)})
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

var monthKeys = [12]Key{MonthJan, MonthFeb, MonthMar, MonthApr, MonthMay, MonthJun, MonthJul, MonthAug, MonthSep,
	MonthOct, MonthNov, MonthDec}

// pluralCategories are CLDR's plural categories by x/text's form, named as the browser's
// Intl.PluralRules names them.
var pluralCategories = map[plural.Form]string{plural.Zero: "zero", plural.One: "one", plural.Two: "two",
	plural.Few: "few", plural.Many: "many", plural.Other: "other"}

// PluralForms words a message with a count for the browser: one template per CLDR plural
// category of the printer's language ("one", "few", "other", ... as Intl.PluralRules names
// them), with the count written as mark (such as "{n}") for a script to fill.
func (p *Printer) PluralForms(key Key, field, mark string, data Data) map[string]string {
	out := map[string]string{}
	d := Data{}
	for k, v := range data {
		d[k] = v
	}
	// The first count of each category between 0 and 200 stands for it.
	for n := 0; n <= 200; n++ {
		form := plural.Cardinal.MatchPlural(p.tag, n, 0, 0, 0, 0)
		cat := pluralCategories[form]
		if _, done := out[cat]; done {
			continue
		}
		d[field] = mark
		out[cat] = p.localize(key, d, n)
	}
	return out
}
