package messages

import (
	"regexp"
	"strings"
	"testing"
)

// The rules a native reader holds each language to (issue #25, item 15), one test each.

// TestFrenchNarrowSpaces: French puts a narrow no-break space (U+202F) before : ; ? ! and inside
// « », so a "?" never starts a line.
func TestFrenchNarrowSpaces(t *testing.T) {
	before := regexp.MustCompile(`(.)([;?!]|:(?: |$))`)
	for key, forms := range catalogFile(t, "fr.toml") {
		for form, s := range forms {
			for _, m := range before.FindAllStringSubmatch(s, -1) {
				if m[1] != "\u202f" {
					t.Errorf("fr %s (%s): %q has no narrow no-break space before %q: %q", key, form, m[0], m[2], s)
				}
			}
			if strings.Count(s, "«") != strings.Count(s, "«\u202f") || strings.Count(s, "»") != strings.Count(s, "\u202f»") {
				t.Errorf("fr %s (%s): « » without narrow no-break spaces inside: %q", key, form, s)
			}
		}
	}
}

// TestJapaneseAndChineseSpacing: no space between a number and its unit (1秒, {{.N}}分), and a
// colon beside Japanese or Chinese text, or a full-width bracket, is full-width.
func TestJapaneseAndChineseSpacing(t *testing.T) {
	units := map[string]string{"ja.toml": "秒|分|時間|桁|台|件|回|日", "zh-Hans.toml": "秒|分钟|小时|位|个|台|次|天"}
	cjk := `[\x{3040}-\x{30ff}\x{3400}-\x{9fff}\x{ff00}-\x{ffef}]`
	asciiColon := regexp.MustCompile(cjk + `:|:\s*[（「]`)
	for file, u := range units {
		spaced := regexp.MustCompile(`([0-9]|\}\}) (` + u + `)`)
		for key, forms := range catalogFile(t, file) {
			for form, s := range forms {
				if m := spaced.FindString(s); m != "" {
					t.Errorf("%s %s (%s): a space between a number and its unit, %q: %q", file, key, form, m, s)
				}
				if m := asciiColon.FindString(s); m != "" {
					t.Errorf("%s %s (%s): an ASCII colon beside full-width text, %q: %q", file, key, form, m, s)
				}
			}
		}
	}
}

// TestCountriesFitAnySentence: a country's name dropped into a sentence ("aus {{.Region}}")
// breaks grammar for most names, so every language gives it as a label or in parentheses:
// "(country or region: United States)", "({{.Home}})". Japanese, Chinese and Arabic attach
// particles and prepositions that fit any name, and are left out.
func TestCountriesFitAnySentence(t *testing.T) {
	field := regexp.MustCompile(`(.{0,2})\{\{\.(Region|Country|Home)\}\}`)
	for _, file := range []string{"en.toml", "de.toml", "fr.toml", "es.toml", "pt-BR.toml"} {
		for key, forms := range catalogFile(t, file) {
			for form, s := range forms {
				for _, m := range field.FindAllStringSubmatch(s, -1) {
					if !strings.HasSuffix(m[1], "(") && !strings.HasSuffix(m[1], ": ") {
						t.Errorf("%s %s (%s): {{.%s}} inside a sentence: %q", file, key, form, m[2], s)
					}
				}
			}
		}
	}
}

// TestCountsHavePluralForms: a message that shows a count (any of countFields: minutes,
// seconds, digits, tries left, characters, results, devices) has a form for each plural
// category the language uses (English "every minute" / "every 5 minutes"; Arabic's six),
// where the language has plurals at all (Japanese and Chinese have "other" alone).
func TestCountsHavePluralForms(t *testing.T) {
	want := map[string][]string{"en.toml": {"one", "other"}, "de.toml": {"one", "other"}, "fr.toml": {"one", "many", "other"},
		"es.toml": {"one", "many", "other"}, "pt-BR.toml": {"one", "many", "other"}, "ar.toml": {"zero", "one", "two", "few", "many", "other"}}
	counted := regexp.MustCompile(`\{\{\.(` + strings.Join(countFields, "|") + `)\}\}`)
	en := catalogFile(t, "en.toml")
	n := 0
	for key, forms := range en {
		if !counted.MatchString(forms["other"]) {
			continue
		}
		n++
		for file, cats := range want {
			got := catalogFile(t, file)[key]
			for _, c := range cats {
				if got[c] == "" {
					t.Errorf("%s %s: no %q form for a count", file, key, c)
				}
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d messages with a count found: the check proves nothing", n)
	}
}

// TestCountPicksTheForm: the count picks the form whether it comes as a number or as a flash's
// string ("you were signed out after 1 minute"), for every field that carries one.
func TestCountPicksTheForm(t *testing.T) {
	en, ar := NewPrinter("en"), NewPrinter("ar")
	for _, c := range []struct {
		p    *Printer
		key  Key
		data Data
		want string
	}{
		{en, SessionEndedIdleMinutes, Data{"N": "1"}, "after 1 minute without"},
		{en, SessionEndedIdleMinutes, Data{"N": "30"}, "after 30 minutes without"},
		{en, SessionEndedMaxHours, Data{"N": "1"}, "time limit of 1 hour."},
		{ar, SessionEndedIdleMinutes, Data{"N": "2"}, "بعد دقيقتين"},
		{ar, SessionEndedIdleMinutes, Data{"N": "5"}, "5 دقائق"},
		{en, HdStepupWhy, Data{"Minutes": 1}, "every minute."},
		{en, WaitSeconds, Data{"N": 1}, "1 second"},
		{en, HdQueryTooShort, Data{"Min": 1}, "1 character,"},
		{ar, HdRefine, Data{"Max": 2}, "نتيجتين"},
		{en, VerifyCooldown, Data{"Seconds": 1}, "1 second."},
		{ar, WaitMinutes, Data{"N": 2}, "دقيقتين"},
	} {
		if got := c.p.T(c.key, c.data); !strings.Contains(got, c.want) {
			t.Errorf("%s %s %v: %q, want %q in it", c.p.Lang(), c.key, c.data, got, c.want)
		}
	}
}

// TestArabicAssumesNoMan: no Arabic sentence makes the user it names a man (a masculine verb
// or noun bound to {{.Name}}).
func TestArabicAssumesNoMan(t *testing.T) {
	masculine := []string{"{{.Name}} أن ي", "يسجّل {{.Name}}", "يستلم {{.Name}}", "{{.Name}} عضو", "يقرؤه {{.Name}}"}
	for key, forms := range catalogFile(t, "ar.toml") {
		for form, s := range forms {
			for _, m := range masculine {
				if strings.Contains(s, m) {
					t.Errorf("ar %s (%s) assumes a man (%q): %q", key, form, m, s)
				}
			}
		}
	}
}

// TestLockedIsNotBlocked: Spanish and Portuguese word PingOne's temporary lock and an
// organisation's block apart, each the same way everywhere ("Travado" reads as a frozen phone).
func TestLockedIsNotBlocked(t *testing.T) {
	for file, w := range map[string]struct{ locked, blocked string }{
		"es.toml":    {"bloquead[oa] temporalmente|bloqueó temporalmente|ha bloqueado temporalmente", "suspendid"},
		"pt-BR.toml": {"bloquead[oa] temporariamente|bloqueou temporariamente", "suspens"},
	} {
		locked, blocked := regexp.MustCompile(w.locked), regexp.MustCompile(w.blocked)
		for key, forms := range catalogFile(t, file) {
			s := forms["other"]
			switch {
			case strings.Contains(key, "blocked"):
				if !blocked.MatchString(strings.ToLower(s)) || strings.Contains(strings.ToLower(s), "bloque") {
					t.Errorf("%s %s does not say blocked as %q: %q", file, key, w.blocked, s)
				}
			case strings.Contains(key, "locked") || key == "state.locked" || key == "hd.unlock_body":
				if !locked.MatchString(strings.ToLower(s)) || blocked.MatchString(s) {
					t.Errorf("%s %s does not say locked as %q: %q", file, key, w.locked, s)
				}
			}
			if strings.Contains(strings.ToLower(s), "trav") {
				t.Errorf("%s %s says %q", file, key, s)
			}
		}
	}
}

// TestPortugueseSaysSignInOneWay: Portuguese says "entrar" (and "acesso" for the noun), never
// "fazer login", "iniciar sessão" or "conectar" for the same act.
func TestPortugueseSaysSignInOneWay(t *testing.T) {
	others := regexp.MustCompile(`(?i)\blog ?in\b|\blogon\b|iniciar sess|\bconect`)
	entrar := 0
	for key, forms := range catalogFile(t, "pt-BR.toml") {
		for form, s := range forms {
			if m := others.FindString(s); m != "" {
				t.Errorf("pt-BR %s (%s) says %q for sign in: %q", key, form, m, s)
			}
			if strings.Contains(strings.ToLower(s), "entr") {
				entrar++
			}
		}
	}
	if entrar < 5 {
		t.Fatalf("\"entrar\" is used %d times: the check proves nothing", entrar)
	}
}
