package messages

import (
	"fmt"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestPlainMessagesWordedOnceAsGoI18nWords checks the printers' table of plain messages against
// go-i18n itself, in every language: the same words for every key without fields or plural
// forms, and no entry for a key with them (their words depend on the data).
func TestPlainMessagesWordedOnceAsGoI18nWords(t *testing.T) {
	consts := constants(t)
	for _, l := range Languages() {
		p := NewPrinter(l.Tag)
		if p != NewPrinter(l.Tag) {
			t.Errorf("%s: a new printer each time, not the shared one", l.Tag)
		}
		fresh := i18n.NewLocalizer(bundle, l.Tag, "en")
		plain := 0
		for name, key := range consts {
			s, cached := p.plain[Key(key)]
			want, err := fresh.Localize(&i18n.LocalizeConfig{MessageID: key})
			hasFields := err != nil || want != mustLocalize(t, fresh, key, sampleData())
			switch {
			case cached && hasFields:
				t.Errorf("%s: %s has fields or plural forms but is kept worded: %q", l.Tag, name, s)
			case cached && s != want:
				t.Errorf("%s: %s kept as %q, go-i18n words it %q", l.Tag, name, s, want)
			case cached:
				plain++
			}
			if got := p.T(Key(key), nil); !hasFields && got != want {
				t.Errorf("%s: T(%s, nil) = %q, want %q", l.Tag, name, got, want)
			}
		}
		// Most of a page's sentences are plain: the table must actually serve them.
		if plain < len(consts)/2 {
			t.Errorf("%s: %d of %d messages kept worded; want most", l.Tag, plain, len(consts))
		}
	}
}

func mustLocalize(t *testing.T, l *i18n.Localizer, key string, data Data) string {
	t.Helper()
	s, _ := l.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: 2})
	return s
}

// TestMatchRemembersTheSameAnswer asks Match the same values twice (the second time from its
// memory) and each against the matcher itself.
func TestMatchRemembersTheSameAnswer(t *testing.T) {
	for _, c := range []string{"de-AT", "fr-CH, fr;q=0.9, en;q=0.8", "sw, tlh;q=0.5", "pt", "zz"} {
		wantTag, wantOK := matchUncached(c)
		for range 2 {
			if tag, ok := Match(c); tag != wantTag || ok != wantOK {
				t.Errorf("Match(%q) = %q, %v; the matcher says %q, %v", c, tag, ok, wantTag, wantOK)
			}
		}
		if _, remembered := matched.Load(c); !remembered {
			t.Errorf("Match(%q) not remembered", c)
		}
	}
}

// TestMatchMemoryIsBounded: made-up Accept-Language values beyond the cap are answered but not
// remembered, so requests cannot grow the memory without end.
func TestMatchMemoryIsBounded(t *testing.T) {
	for i := range matchCap + 100 {
		v := fmt.Sprintf("x-%d, de;q=0.5", i)
		if tag, ok := Match(v); tag != "de" || !ok {
			t.Fatalf("Match(%q) = %q, %v", v, tag, ok)
		}
	}
	n := 0
	matched.Range(func(any, any) bool { n++; return true })
	if n > matchCap || matchedCount.Load() > matchCap {
		t.Errorf("%d answers remembered (count %d), cap %d", n, matchedCount.Load(), matchCap)
	}
	if _, kept := matched.Load(fmt.Sprintf("x-%d, de;q=0.5", matchCap+99)); kept {
		t.Error("a value past the cap was remembered")
	}
}
