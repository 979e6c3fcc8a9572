package emulator

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"text/template"
)

type pageData struct {
	Title, Flow, Username, Action, Error, Message string
	// Lang is the page's language ("" for English); Masked fills {masked} in Message.
	Lang, Masked string
	// OTP asks for the texted code of an MFA sign-on policy instead of the password.
	OTP bool
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{"tr": tr, "masked": func(m, s string) string { return strings.ReplaceAll(s, "{masked}", "\u2066"+m+"\u2069") }}).Parse(`<!doctype html>
<html lang="{{if .Lang}}{{.Lang}}{{else}}en{{end}}" dir="{{if eq .Lang "ar"}}rtl{{else}}ltr{{end}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{tr .Lang .Title}} · PingOne (emulator)</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}
main{max-width:24rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0003}
h1{font-size:1.4rem;margin-top:0}label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem;border:1px solid #6b7280;border-radius:4px}
button{margin-top:1.25rem;width:100%;padding:.7rem;font-size:1rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;cursor:pointer}
.err{color:#a4161a;font-weight:600}.note{color:#4b5563;font-size:.875rem}
</style></head><body><main>
<h1>{{tr .Lang .Title}}</h1>
<p class="note">{{tr .Lang "PingOne emulator: no real account is used here."}}</p>
{{if .Error}}<p class="err" role="alert" id="err">{{tr .Lang .Error}}</p>{{end}}
{{if .Message}}<p>{{tr .Lang .Message | masked .Masked}}</p>{{end}}
{{if and .Flow .OTP}}<form method="post" action="{{.Action}}">
<input type="hidden" name="flow" value="{{.Flow}}">
<label for="otp">{{tr .Lang "Sign-in code"}}</label>
<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required{{if .Error}} aria-describedby="err" aria-invalid="true"{{end}}>
<button type="submit">{{tr .Lang "Continue"}}</button>
</form>{{else if .Flow}}<form method="post" action="{{.Action}}">
<input type="hidden" name="flow" value="{{.Flow}}">
<label for="username">{{tr .Lang "Username"}}</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="{{.Username}}"{{if .Error}} aria-describedby="err"{{end}}>
<label for="password">{{tr .Lang "Password"}}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">{{tr .Lang "Sign in"}}</button>
</form>{{end}}
</main></body></html>`))

func (s *Server) renderPage(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

// signInTexts is the sign-in page's words by language, kept as data (one object a language,
// English sentence to translation) so that adding a language adds no code.
//
//go:embed signin_texts.json
var signInTexts []byte

// pageTexts are the sign-in page's words in the languages the portal speaks, as PingOne's own
// hosted pages follow ui_locales. A sentence missing here shows in English.
var pageTexts = mustPageTexts(signInTexts)

// mustPageTexts decodes the embedded translations; it panics because a malformed file is a
// build mistake that every test of the package would catch at once.
func mustPageTexts(data []byte) map[string]map[string]string {
	var texts map[string]map[string]string
	if err := json.Unmarshal(data, &texts); err != nil {
		panic(fmt.Sprintf("emulator: decoding signin_texts.json: %v", err))
	}
	return texts
}

// pageLanguage is the first of ui_locales (space-separated BCP 47 tags) the sign-in page
// speaks, or "" for English.
func pageLanguage(uiLocales string) string {
	for _, tag := range strings.Fields(uiLocales) {
		for lang := range pageTexts {
			if strings.EqualFold(tag, lang) || strings.EqualFold(strings.SplitN(tag, "-", 2)[0], lang) && !strings.Contains(lang, "-") {
				return lang
			}
		}
		switch strings.ToLower(tag) {
		case "pt":
			return "pt-BR"
		case "zh", "zh-cn", "zh-sg", "zh-hans-cn":
			return "zh-Hans"
		}
	}
	return ""
}

// tr words one of the sign-in page's sentences in lang.
func tr(lang, s string) string {
	if t, ok := pageTexts[lang][s]; ok {
		return t
	}
	return s
}
