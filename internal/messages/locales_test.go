package messages

import (
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// wantLanguages are the languages the portal promises (issue #14); adding one is adding a file.
var wantLanguages = []string{"en", "de", "fr", "es", "pt-BR", "ja", "zh-Hans", "ar"}

// sameAsEnglish are the messages a language may word exactly as English does: names,
// abbreviations and messages that are only fields. Anything else identical to English is a
// translation someone forgot.
var sameAsEnglish = map[string]bool{
	"error.http": true, "month.mar": true, "month.apr": true, "month.aug": true, "month.sep": true,
	"month.nov": true, "month.jun": true, "month.jul": true, "format.time": true, "format.date_time": true,
	"device.default": true, "format.date": true, "month.feb": true, "month.dec": true, "month.oct": true, "month.jan": true,
	"month.may": true, "hd.email": true, "wait.minutes": true, "demo.code": true,
	// Spanish says "Error" too, French "Actions".
	"layout.title_error": true, "hd.col_actions": true,
}

// catalogFile reads one locale file: each key's forms ("other" alone for a plain message).
func catalogFile(t *testing.T, name string) map[string]map[string]string {
	t.Helper()
	var raw map[string]any
	if _, err := toml.DecodeFS(locales, "locales/"+name, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[string]map[string]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = map[string]string{"other": v}
		case map[string]any:
			forms := map[string]string{}
			for f, s := range v {
				str, ok := s.(string)
				if !ok {
					t.Errorf("%s: %s.%s is not a string", name, k, f)
				}
				forms[f] = str
			}
			out[k] = forms
		default:
			t.Errorf("%s: %s is a %T", name, k, v)
		}
	}
	return out
}

func localeFiles(t *testing.T) []string {
	t.Helper()
	files, err := fs.Glob(locales, "locales/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for i := range files {
		files[i] = path.Base(files[i])
	}
	return files
}

var fieldRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func fields(s string) []string {
	var out []string
	for _, m := range fieldRE.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// categories are the CLDR plural categories a language uses for whole numbers.
func categories(tag language.Tag) []string {
	var out []string
	for n := 0; n <= 1000; n++ {
		c := pluralCategories[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func TestEveryPromisedLanguageIsThere(t *testing.T) {
	var got []string
	for _, l := range Languages() {
		got = append(got, l.Tag)
		if l.Name == "" || l.Name == l.Tag {
			t.Errorf("%s has no name of its own: %q", l.Tag, l.Name)
		}
	}
	for _, want := range wantLanguages {
		if !slices.Contains(got, want) {
			t.Errorf("no catalog for %s (have %v)", want, got)
		}
	}
	if Languages()[0].Tag != "en" {
		t.Errorf("English is not first: %v", got)
	}
}

// TestEveryLanguageHasEveryKey fails on any gap: a key of en.toml missing from another
// language (someone added an English sentence: translate it), a key only another language
// has, a message whose {{.Fields}} differ from English's, a plural message without a form its
// language's CLDR rules need (or with one they never use), and a message left in English.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	en := catalogFile(t, "en.toml")
	for _, file := range localeFiles(t) {
		if file == "en.toml" {
			continue
		}
		tag := language.Make(strings.TrimSuffix(file, ".toml"))
		cats := categories(tag)
		tr := catalogFile(t, file)
		for _, key := range slices.Sorted(maps.Keys(en)) {
			enForms, trForms := en[key], tr[key]
			if trForms == nil {
				t.Errorf("%s lacks %q (English: %q)", file, key, enForms["other"])
				continue
			}
			var enFields []string
			for _, s := range enForms {
				enFields = append(enFields, fields(s)...)
			}
			slices.Sort(enFields)
			enFields = slices.Compact(enFields)
			if key == string(FormatDate) {
				// A date may be written with the month's number instead of its name (2026年1月2日).
				if got := fields(trForms["other"]); !isSubset(got, []string{"Day", "Month", "MonthNumber", "Year"}) || len(got) != 3 {
					t.Errorf("%s %q has fields %v", file, key, got)
				}
				continue
			}
			for form, s := range trForms {
				got := fields(s)
				switch {
				case len(trForms) == 1 && !slices.Equal(got, enFields):
					t.Errorf("%s %q has fields %v, English %v", file, key, got, enFields)
				case len(trForms) > 1 && form == "other" && !slices.Equal(got, enFields):
					t.Errorf("%s %q (other) has fields %v, English %v", file, key, got, enFields)
				case len(trForms) > 1 && !isSubset(got, enFields):
					t.Errorf("%s %q (%s) has fields %v, English only %v", file, key, form, got, enFields)
				}
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s %q (%s) is empty", file, key, form)
				}
			}
			if len(enForms) > 1 || len(trForms) > 1 {
				// A plural message: the forms its language's rules use for whole numbers, no
				// fewer (a language with "other" alone may give a plain message), and no others
				// but "many", which newer CLDR rules give French, Spanish and Portuguese for
				// millions.
				have := slices.Sorted(maps.Keys(trForms))
				extra := slices.DeleteFunc(slices.Clone(have), func(f string) bool { return slices.Contains(cats, f) || f == "many" })
				if !isSubset(cats, have) && !(len(cats) == 1 && len(have) == 1 && have[0] == "other") || len(extra) > 0 {
					t.Errorf("%s %q has plural forms %v; %s needs %v", file, key, have, tag, cats)
				}
			}
			if !sameAsEnglish[key] && trForms["other"] == enForms["other"] {
				t.Errorf("%s %q is still English: %q", file, key, enForms["other"])
			}
		}
		for key := range tr {
			if en[key] == nil {
				t.Errorf("%s has %q, which en.toml does not", file, key)
			}
		}
	}
}

func isSubset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// TestEveryMessagePrintsInEveryLanguage words every key in every language, for counts that
// reach each plural form, with every field filled.
func TestEveryMessagePrintsInEveryLanguage(t *testing.T) {
	consts := constants(t)
	for _, l := range Languages() {
		p := NewPrinter(l.Tag)
		if p.Lang() != l.Tag {
			t.Errorf("NewPrinter(%q).Lang() = %q", l.Tag, p.Lang())
		}
		for _, n := range []int{0, 1, 2, 3, 11, 100, 102} {
			data := sampleData()
			data["Count"], data["N"], data["Seconds"] = n, n, n
			for name, key := range consts {
				got := p.T(Key(key), data)
				if got == key || got == "" || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
					t.Errorf("%s: %s prints %q", l.Tag, name, got)
				}
			}
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
		ok   bool
	}{
		{[]string{"de"}, "de", true},
		{[]string{"de-AT"}, "de", true},
		{[]string{"fr-CH, fr;q=0.9, en;q=0.8"}, "fr", true},
		{[]string{"pt"}, "pt-BR", true},
		{[]string{"pt-br"}, "pt-BR", true},
		{[]string{"zh-CN"}, "zh-Hans", true},
		{[]string{"zh"}, "zh-Hans", true},
		{[]string{"ar-EG"}, "ar", true},
		{[]string{"ja_JP"}, "ja", true},
		{[]string{"sw", "es-MX"}, "es", true},
		{[]string{"sw, tlh;q=0.5"}, "", false},
		{[]string{"", "not a tag"}, "", false},
		{[]string{"en-GB"}, "en", true},
	} {
		got, ok := Match(tc.in...)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Match(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDir(t *testing.T) {
	for tag, want := range map[string]string{"ar": "rtl", "en": "ltr", "de": "ltr", "ja": "ltr", "zh-Hans": "ltr"} {
		if got := NewPrinter(tag).Dir(); got != want {
			t.Errorf("%s: dir %s, want %s", tag, got, want)
		}
	}
}

func TestPluralForms(t *testing.T) {
	en := NewPrinter("en").PluralForms(VerifyCooldown, "Seconds", "{n}", nil)
	if en["one"] != "You can ask for a new code in {n} second." || en["other"] != "You can ask for a new code in {n} seconds." || len(en) != 2 {
		t.Errorf("English forms: %v", en)
	}
	ar := NewPrinter("ar").PluralForms(VerifyCooldown, "Seconds", "{n}", nil)
	if len(ar) != 6 {
		t.Errorf("Arabic has six plural forms, got %v", ar)
	}
	if ja := NewPrinter("ja").PluralForms(VerifyCooldown, "Seconds", "{n}", nil); len(ja) != 1 || !strings.Contains(ja["other"], "{n}") {
		t.Errorf("Japanese forms: %v", ja)
	}
}
