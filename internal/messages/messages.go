// Package messages is the catalog of every sentence a person reads on the portal's pages: one
// TOML file per language under locales/ (go-i18n's format), English in locales/en.toml, each
// sentence under a key (a Key constant in keys*.go). Handlers and views refer to keys; a Printer
// words them for the request's language. Adding a language is adding a file.
package messages

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/smsmfa/portal/internal/ctxkey"
)

// Key names a message in the catalog.
type Key string

// Data fills a message's {{.Name}} fields.
type Data = map[string]any

// Phrase is a message used as a field of another ("in {{.Wait}}" with Wait a Phrase for "a
// minute"): worded in the same language when the outer message is.
type Phrase struct {
	Key  Key
	Data Data
}

//go:embed locales/*.toml
var locales embed.FS

var bundle, plainIDs = mustLoad()

func mustLoad() (*i18n.Bundle, map[language.Tag]map[string]bool) {
	b, plain, err := load(locales)
	if err != nil {
		panic(err) // the catalog is embedded: a broken file fails every test
	}
	return b, plain
}

// load reads every locales/*.toml file into a bundle whose default language is English, and
// notes for each language every message it has, true for plain text (no {{.Field}}, no
// plural forms).
func load(fsys fs.FS) (*i18n.Bundle, map[language.Tag]map[string]bool, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "locales/*.toml")
	if err != nil {
		return nil, nil, err
	}
	plain := map[language.Tag]map[string]bool{}
	for _, f := range files {
		mf, err := b.LoadMessageFileFS(fsys, f)
		if err != nil {
			return nil, nil, fmt.Errorf("messages: %s: %w", f, err)
		}
		ids := map[string]bool{}
		for _, m := range mf.Messages {
			ids[m.ID] = m.Zero+m.One+m.Two+m.Few+m.Many == "" && !strings.Contains(m.Other, "{{")
		}
		plain[mf.Tag] = ids
	}
	return b, plain, nil
}

// Printer words messages in one language, falling back to English for a key a language lacks.
// A Printer is safe for concurrent use.
type Printer struct {
	loc *i18n.Localizer
	tag language.Tag
	dir string
	// plain holds the messages without fields or plural forms, worded once: most of a page's
	// sentences, which would otherwise go through go-i18n's lookup on every page.
	plain map[Key]string
}

var (
	printersOnce sync.Once
	printers     map[string]*Printer
)

// NewPrinter returns the printer for the first of the languages (BCP 47 tags or
// Accept-Language values) the catalog has, else English. There is one printer per language,
// made once and shared.
func NewPrinter(langs ...string) *Printer {
	printersOnce.Do(func() {
		loadLanguages()
		printers = make(map[string]*Printer, len(supported))
		for _, t := range supported {
			printers[t.String()] = newPrinter(t)
		}
	})
	if m, ok := Match(langs...); ok {
		return printers[m]
	}
	return printers["en"]
}

// newPrinter makes the printer for tag, wording its plain messages (its own, or English's
// where it lacks one) once.
func newPrinter(tag language.Tag) *Printer {
	p := &Printer{loc: i18n.NewLocalizer(bundle, tag.String(), "en"), tag: tag, dir: direction(tag), plain: map[Key]string{}}
	for id, enPlain := range plainIDs[language.English] {
		isPlain, has := plainIDs[tag][id]
		if !has {
			isPlain = enPlain // worded in English, the fallback
		}
		if isPlain {
			p.plain[Key(id)] = p.localize(Key(id), nil, nil)
		}
	}
	return p
}

var english = NewPrinter("en")

// English is the printer for logs and audit records, which are always in English.
func English() *Printer { return english }

// countFields are the fields that carry a message's count, in the order they are looked for:
// a message with plural forms takes the form for the first one given as an int, or as a
// string of digits (a flash's fields travel in the cookie as strings). Every message that
// shows one of them has plural forms (a test keeps that rule).
var countFields = []string{"Count", "N", "Seconds", "Minutes", "Left", "Min", "Max"}

// T words the message under key with data, in the plural form for its count when data has one
// (countFields). A key missing from the catalog (a test proves none is) prints as the key
// itself rather than failing the page.
func (p *Printer) T(key Key, data Data) string {
	if len(data) == 0 {
		if s, ok := p.plain[key]; ok {
			return s
		}
	}
	return p.localize(key, data, countOf(data))
}

// countOf is the count that picks a message's plural form: the first of countFields given as
// an int or a string of digits, or nil.
func countOf(data Data) any {
	for _, f := range countFields {
		switch v := data[f].(type) {
		case int:
			return v
		case string:
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				return n
			}
		}
	}
	return nil
}

// N words a message with plural forms for the count n (given to the message as {{.Count}}).
func (p *Printer) N(key Key, n int, data Data) string {
	d := maps.Clone(data)
	if d == nil {
		d = Data{}
	}
	d["Count"] = n
	return p.localize(key, d, n)
}

// localize words a message; count (nil or an int) picks its plural form.
func (p *Printer) localize(key Key, data Data, count any) string {
	// go-i18n reports an error beside a usable message when it fell back to English or to the
	// "other" form of a message without plural forms: only an empty result is a failure.
	s, _ := p.loc.Localize(&i18n.LocalizeConfig{MessageID: string(key), TemplateData: p.fill(data), PluralCount: count})
	if s == "" {
		return string(key)
	}
	return s
}

// fill words the Phrase fields of data; data without phrases is returned as it is.
func (p *Printer) fill(data Data) Data {
	var out Data
	rtl := p.Dir() == "rtl"
	for k, v := range data {
		if ph, ok := v.(Phrase); ok {
			if out == nil {
				out = maps.Clone(data)
			}
			out[k] = p.T(ph.Key, ph.Data)
		}
		if str, ok := v.(string); ok && rtl && numberFields[k] && numberLike(str) {
			// A phone number inside a right-to-left sentence keeps its left-to-right order:
			// Unicode isolates, since messages are plain text (headings, titles, flashes).
			if out == nil {
				out = maps.Clone(data)
			}
			out[k] = "\u2066" + str + "\u2069"
		}
	}
	if out == nil {
		return data
	}
	return out
}

// Lang is the BCP 47 tag of the language the printer words messages in ("en", "pt-BR").
func (p *Printer) Lang() string { return p.tag.String() }

var printerKey = ctxkey.New[*Printer]("printer")

// WithPrinter returns a context that carries the printer for the request.
func WithPrinter(ctx context.Context, p *Printer) context.Context {
	return printerKey.With(ctx, p)
}

// From returns the request's printer, or English when the context has none.
func From(ctx context.Context) *Printer {
	if p := printerKey.Value(ctx); p != nil {
		return p
	}
	return english
}

// numberFields are the fields that hold a phone number (masked or not), which reads left to
// right in every language.
var numberFields = map[string]bool{"Device": true, "Number": true, "Phone": true}

// numberLike reports whether a field's value is a number ("+1 •••-•••-1234") rather than
// words, such as an unnamed device's label, which keep the sentence's direction.
func numberLike(v string) bool {
	digit := false
	for _, r := range v {
		if unicode.IsLetter(r) {
			return false
		}
		if unicode.IsDigit(r) {
			digit = true
		}
	}
	return digit
}
