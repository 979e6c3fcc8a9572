package handlers

// The warnings staff see beside "Verify caller" (issue #16): staff or protected groups, a recent
// change of methods, a phone in another country than the directory's; and the small words they
// share with the verification pages.

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/pingone"
)

// verifiedHow words how the caller was verified: "a code to their email".
func verifiedHow(c echo.Context, v *helpdesk.Verification) string {
	switch v.Kind {
	case helpdesk.KindSMS:
		return t(c, messages.HdVerifiedBySMS, nil)
	case helpdesk.KindEmail:
		return t(c, messages.HdVerifiedByEmail, nil)
	}
	return t(c, messages.HdVerifiedByApproval, messages.Data{"Approver": v.Approver.Username})
}

// clock words a time of day for staff, in the server's zone.
func clock(at time.Time) string { return at.Local().Format("15:04") }

// signalKeys word each signal.
var signalKeys = map[helpdesk.Signal]messages.Key{
	helpdesk.SignalStaff:        messages.HdSignalStaff,
	helpdesk.SignalProtected:    messages.HdSignalProtected,
	helpdesk.SignalRecentChange: messages.HdSignalRecent,
	helpdesk.SignalCountry:      messages.HdSignalCountry,
}

// signals decides the warnings shown beside the verify button: the user's groups, a change to
// their methods in the last 24 hours (noted by the portal, or a device made or changed in
// PingOne), and a phone in another country than the directory's.
func (h *Handler) signals(c echo.Context, u *pingone.User, devs mfa.List) ([]helpdesk.Signal, error) {
	last, err := h.svc.Verifier.LastChange(c.Request().Context(), u.ID)
	if err != nil {
		return nil, err
	}
	f := helpdesk.SignalFacts{Protection: protection(c), Country: u.Country(), Now: h.now()}
	for _, d := range devs {
		if d.Changed().After(last) {
			last = d.Changed()
		}
		if d.IsSMS() {
			f.PhoneCountries = append(f.PhoneCountries, h.countryOf(d.Number))
		}
	}
	f.LastChange = last
	return helpdesk.Signals(f), nil
}

// countryOf is the country of a phone number, or "".
func (h *Handler) countryOf(number string) string {
	n, err := h.policy().Parse(number, "")
	if err != nil {
		return ""
	}
	return n.Region
}

// signalTexts words the signals about the user name, whose directory country is home.
func signalTexts(c echo.Context, sig []helpdesk.Signal, name, home string) []string {
	out := make([]string, 0, len(sig))
	for _, s := range sig {
		if key, ok := signalKeys[s]; ok {
			out = append(out, t(c, key, messages.Data{"Name": name, "Home": isolate(regionName(c, home))}))
		}
	}
	return out
}

// countryWarning is, when staff add a number in another country than the user's country in
// the directory, the words' fields for the warning (issue #16's signal); else nil.
func (h *Handler) countryWarning(a *actor, d mfa.Device) map[string]string {
	if a.self || a.user == nil {
		return nil
	}
	home, country := a.user.Country(), h.countryOf(d.Number)
	if home == "" || country == "" || home == country {
		return nil
	}
	// The countries travel as codes: the page names them in its own language (regionFields).
	return map[string]string{"Name": a.name, "Country": country, "Home": home}
}

// isolate marks s as a span of its own direction: the page shows it as <bdi> (views.isolated).
func isolate(s string) string { return "\u2068" + s + "\u2069" }

// regionFields are the flash fields that hold a country's code, named when the flash is shown,
// in the language of the page that shows it.
var regionFields = []string{"Country", "Home"}
