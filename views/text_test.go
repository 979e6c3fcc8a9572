package views

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/a-h/templ"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/phone"
)

// TestJSONScriptWritesWhatTemplWrites checks, in every language, that the add-phone page's texts
// written from the JSON encoded once are the very bytes templ.JSONScript writes encoding them
// on each page.
func TestJSONScriptWritesWhatTemplWrites(t *testing.T) {
	for _, l := range messages.Languages() {
		p := messages.NewPrinter(l.Tag)
		var want, got bytes.Buffer
		if err := templ.JSONScript("phone-texts", phone.BrowserTexts(p)).Render(context.Background(), &want); err != nil {
			t.Fatal(err)
		}
		if err := jsonScript("phone-texts", ScriptJSON(phone.BrowserTextsJSON(p))).Render(context.Background(), &got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: differs from templ.JSONScript:\n got %.300s\nwant %.300s", l.Tag, got.Bytes(), want.Bytes())
		}
	}
}

// TestCooldownFormsKeptPerLanguage: the cool-down sentences worked out once per language are
// the ones PluralForms words, in every language, the second time as the first.
func TestCooldownFormsKeptPerLanguage(t *testing.T) {
	for _, l := range messages.Languages() {
		p := messages.NewPrinter(l.Tag)
		ctx := messages.WithPrinter(context.Background(), p)
		want, _ := json.Marshal(p.PluralForms(messages.VerifyCooldown, "Seconds", "{n}", nil))
		for range 2 {
			if got := cooldownForms(ctx); got != string(want) {
				t.Errorf("%s: %s, want %s", l.Tag, got, want)
			}
		}
	}
}
