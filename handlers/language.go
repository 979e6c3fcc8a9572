package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/views"
)

// The language of a page is chosen, strongest first, from: the person's own choice in the
// language picker (a cookie), ?lang= on the link they followed (the onboarding email's, kept
// for the rest of the visit), the language of their PingOne profile once signed in
// (preferredLanguage, else locale), the browser's Accept-Language, and DEFAULT_LANGUAGE.

// langSource says where a request's language came from, weakest last.
type langSource int

const (
	langDefault langSource = iota
	langBrowser
	langProfile
	langLink
	langPicked
)

const langSourceKey = "portal.lang_source"

// langCookie holds the language: "pick:de" when the person chose it in the picker, "link:de"
// when a link's ?lang= set it. It holds nothing else and nothing secret.
func (h *Handler) langCookie() string {
	if h.site.PublicURL != nil && h.site.PublicURL.Scheme == "https" {
		return "__Host-mfa_lang"
	}
	return "mfa_lang"
}

// pickedLanguageAge is how long the picker's choice is kept.
const pickedLanguageAge = 365 * 24 * time.Hour

// localize puts the printer for the request's language in its context, where the views and
// the handlers find it (static files and health probes have no words, and skip it). The PingOne profile's language is added by profileLanguage once the
// session is loaded.
func (h *Handler) localize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if plainAnswer(c) {
			return next(c)
		}
		tag, src := h.requestLanguage(c)
		h.usePrinter(c, tag, src)
		return next(c)
	}
}

// requestLanguage chooses the language from everything but the session, remembering a link's
// ?lang= for the rest of the visit.
func (h *Handler) requestLanguage(c echo.Context) (string, langSource) {
	var cookieSrc, cookieTag string
	if ck, err := c.Cookie(h.langCookie()); err == nil {
		cookieSrc, cookieTag, _ = strings.Cut(ck.Value, ":")
	}
	if cookieSrc == "pick" {
		if tag, ok := messages.Match(cookieTag); ok {
			return tag, langPicked
		}
	}
	if q := c.QueryParam("lang"); q != "" {
		if tag, ok := messages.Match(q); ok {
			if cookieSrc != "link" || cookieTag != tag {
				h.setLangCookie(c, "link:"+tag, 0)
			}
			return tag, langLink
		}
	}
	if cookieSrc == "link" {
		if tag, ok := messages.Match(cookieTag); ok {
			return tag, langLink
		}
	}
	if tag, ok := messages.Match(c.Request().Header.Get("Accept-Language")); ok {
		return tag, langBrowser
	}
	if tag, ok := messages.Match(h.site.DefaultLanguage); ok {
		return tag, langDefault
	}
	return "en", langDefault
}

// profileLanguage uses the language of the signed-in person's PingOne profile (kept in the
// session at sign-in) unless a stronger source chose one.
func (h *Handler) profileLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		src, _ := c.Get(langSourceKey).(langSource)
		if s := sess(c); s != nil && s.UserID() != "" && src < langProfile {
			if tag, ok := messages.Match(s.Language()); ok {
				h.usePrinter(c, tag, langProfile)
			}
		}
		return next(c)
	}
}

// profileLanguageOf is the language a PingOne user's profile asks for: preferredLanguage,
// else locale ("" when neither is set).
func profileLanguageOf(u *pingone.User) string {
	if u.PreferredLanguage != "" {
		return u.PreferredLanguage
	}
	return u.Locale
}

func (h *Handler) usePrinter(c echo.Context, tag string, src langSource) {
	c.Set(langSourceKey, src)
	ctx := messages.WithPrinter(c.Request().Context(), messages.NewPrinter(tag))
	ctx = views.WithLanguageLinks(ctx, languageReturn(c.Request().URL))
	c.SetRequest(c.Request().WithContext(ctx))
	c.Response().Header().Set("Content-Language", tag)
}

// languageReturn is the page a language picker's link comes back to: this one, without ?lang=.
func languageReturn(u *url.URL) string {
	q := u.Query()
	q.Del("lang")
	back := u.Path
	if len(q) > 0 {
		back += "?" + q.Encode()
	}
	return back
}

func (h *Handler) setLangCookie(c echo.Context, value string, maxAge time.Duration) {
	c.SetCookie(&http.Cookie{Name: h.langCookie(), Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: h.langCookie() != "mfa_lang", SameSite: http.SameSiteLaxMode})
}

// chooseLanguage is the language picker's link (/language?lang=de&return_to=/devices): it keeps
// the choice in a cookie and goes back to the page. It works without JavaScript; a link to an
// unknown language or an outside page changes nothing and goes to the start.
func (h *Handler) chooseLanguage(c echo.Context) error {
	if tag, ok := messages.Match(c.QueryParam("lang")); ok {
		h.setLangCookie(c, "pick:"+tag, pickedLanguageAge)
	}
	back := localPath(c.QueryParam("return_to"))
	if back == "" || strings.HasPrefix(back, "/language") {
		back = "/"
	}
	return c.Redirect(http.StatusSeeOther, back)
}
