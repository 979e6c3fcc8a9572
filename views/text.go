package views

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"github.com/smsmfa/portal/internal/ctxkey"
	"github.com/smsmfa/portal/internal/messages"
)

// t words a message in the request's language (the printer the handlers put in ctx).
func t(ctx context.Context, key messages.Key) string { return messages.From(ctx).T(key, nil) }

// tf words a message with fields.
func tf(ctx context.Context, key messages.Key, data messages.Data) string {
	return messages.From(ctx).T(key, data)
}

// around words a message whose field is shown with markup (a number in <strong>): it returns
// the text before and after the field, so a translation may put the field anywhere.
func around(ctx context.Context, key messages.Key, field string) (before, after string) {
	const mark = "\x00"
	before, after, _ = strings.Cut(tf(ctx, key, messages.Data{field: mark}), mark)
	return before, after
}

// aroundCount is around for a message with plural forms: count (as {{.Count}}) picks the form.
func aroundCount(ctx context.Context, key messages.Key, field string, count int) (before, after string) {
	const mark = "\x00"
	before, after, _ = strings.Cut(tf(ctx, key, messages.Data{field: mark, "Count": count}), mark)
	return before, after
}

// cooldownForms is the resend cool-down sentence in each plural form of the page's language,
// as JSON for verify.js, which counts down and picks the form with Intl.PluralRules: the
// script holds no sentence of its own.
// They depend on the language alone, so each language's are worked out once (some 200 plural
// matches and a wording per form, otherwise on every code page).
func cooldownForms(ctx context.Context) string {
	p := messages.From(ctx)
	if v, ok := cooldownByLang.Load(p.Lang()); ok {
		return v.(string)
	}
	b, _ := json.Marshal(p.PluralForms(messages.VerifyCooldown, "Seconds", "{n}", nil))
	cooldownByLang.Store(p.Lang(), string(b))
	return string(b)
}

var cooldownByLang sync.Map // language tag -> cooldownForms

var languageLinksKey = ctxkey.New[string]("language links")

// WithLanguageLinks returns a context whose pages' language picker links come back to the
// page at back (a local path with its query).
func WithLanguageLinks(ctx context.Context, back string) context.Context {
	return languageLinksKey.With(ctx, back)
}

// LanguageLink is one language in the picker.
type LanguageLink struct {
	messages.Language
	URL     string
	Current bool
}

// languageLinks are the picker's links: each language in its own name, to /language, which
// keeps the choice and comes back to this page.
func languageLinks(ctx context.Context) []LanguageLink {
	back := languageLinksKey.Value(ctx)
	if back == "" {
		back = "/"
	}
	cur := messages.From(ctx).Lang()
	langs := messages.Languages()
	out := make([]LanguageLink, 0, len(langs))
	// The same as url.Values{"lang", "return_to"}.Encode(), with return_to escaped once.
	rest := "&return_to=" + url.QueryEscape(back)
	for _, l := range langs {
		out = append(out, LanguageLink{Language: l, URL: "/language?lang=" + url.QueryEscape(l.Tag) + rest, Current: l.Tag == cur})
	}
	return out
}

// ScriptJSON is JSON that is safe inside a script element as it is: encoding/json's output,
// which escapes <, > and & (phone.BrowserTextsJSON). Only such JSON may be converted to it.
type ScriptJSON string

// jsonScript is a script element of type application/json holding js, as templ.JSONScript
// writes it but without encoding the data again on every page.
func jsonScript(id string, js ScriptJSON) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		// Three writes, not one concatenation: js is kilobytes, copied once more for nothing.
		for _, part := range []string{`<script id="` + templ.EscapeString(id) + `" type="application/json">`, string(js), "\n</script>"} {
			if _, err := io.WriteString(w, part); err != nil {
				return err
			}
		}
		return nil
	})
}

// pageTitle is the document's title: the page's, then the portal's name; a page with an error
// says so first, in its language ("Error: ", "Fehler: "), as the first thing a screen reader
// reads (issue #25).
func pageTitle(ctx context.Context, p Page) string {
	title := p.Title
	if p.Problem != "" || p.Failed {
		title = tf(ctx, messages.LayoutTitleError, messages.Data{"Title": title})
	}
	return tf(ctx, messages.LayoutTitle, messages.Data{"Title": title})
}

// withProblem is p with the server's refusal of its form, msg about the field with the id
// field; an empty msg leaves p as it is.
func withProblem(p Page, msg, field string) Page {
	if msg != "" {
		p.Problem, p.ProblemField = msg, field
	}
	return p
}

// addPhoneProblem is the add-phone page's refusal: the number's, else the reason's.
func addPhoneProblem(p Page, f PhoneForm) Page {
	if f.Error != "" {
		return withProblem(p, f.Error, "phone")
	}
	return withProblem(p, f.ReasonError, "reason")
}

// failed marks p as an error page.
func failed(p Page) Page {
	p.Failed = true
	return p
}

// isolated writes s as text, each span between FIRST STRONG ISOLATE (U+2068) and POP
// DIRECTIONAL ISOLATE (U+2069) as a <bdi> element: a country's name inside a sentence of
// another direction keeps its own order and does not pull the punctuation around it
// (issue #25). The handlers mark such spans (isolate). Phone numbers in it are kept on one
// line (kept). Everything is escaped.
func isolated(s string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		for {
			before, rest, ok := strings.Cut(s, "\u2068")
			if !ok {
				break
			}
			inner, after, ok := strings.Cut(rest, "\u2069")
			if !ok {
				break
			}
			b.WriteString(kept(before))
			b.WriteString("<bdi>")
			b.WriteString(kept(inner))
			b.WriteString("</bdi>")
			s = after
		}
		b.WriteString(kept(s))
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// numberRun is a phone number as the portal writes one in a sentence, whole or masked:
// +1 512-520-1234, +1 •••-•••-1234, •••1234.
var numberRun = regexp.MustCompile(`(\+[0-9]{1,3}[ \-]?)?[0-9•][0-9• ()\-]*[0-9•]{2,}`)

// kept escapes s and keeps each phone number in it on one line, left to right: a number is
// never split over two lines (issue #25), in any language.
func kept(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range numberRun.FindAllStringIndex(s, -1) {
		if !strings.ContainsAny(s[m[0]:m[1]], "+•") {
			continue // a plain count or a year: it has no spaces to break at anyway
		}
		b.WriteString(templ.EscapeString(s[last:m[0]]))
		b.WriteString(`<span class="nowrap" dir="ltr">`)
		b.WriteString(templ.EscapeString(s[m[0]:m[1]]))
		b.WriteString("</span>")
		last = m[1]
	}
	b.WriteString(templ.EscapeString(s[last:]))
	return b.String()
}
