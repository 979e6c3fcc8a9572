package handlers

// The warnings staff see beside "Verify caller" (issue #16), in words: staff or protected
// groups, a recent change of methods, a phone in another country than the directory's (decided
// by internal/helpdesk: Target.Signals, AbroadNumber); and the small words they share with the
// caller-check pages.

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
)

// checkedHow words how the caller was checked: "a code to their email".
func checkedHow(c echo.Context, v *helpdesk.CallerCheck) string {
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
	home := a.user.Country()
	country, abroad := helpdesk.AbroadNumber(home, d.Number)
	if !abroad {
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
