package handlers

import (
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/views"
)

// hdUser shows a user's profile and devices to staff, with the signals beside the verify
// button; changes are offered only once the caller is verified, and never for a user the help
// desk may not change (who is told why).
func (h *Handler) hdUser(c echo.Context) error {
	a := actorOf(c)
	u := a.user
	devs, err := h.svc.MFA.Devices(c.Request().Context(), a.target.ID)
	if err != nil {
		return err
	}
	var check views.CallerCheck
	// Until the caller is verified the page shows the user's contact details masked, as the
	// verify page does (issue #21): an agent cannot be talked into reading them out.
	email, shown := phone.MaskEmail(u.Email), maskedRows(devs)
	target, err := h.targetOf(c, a, devs)
	if err != nil {
		return err
	}
	if target.Protected() {
		check.Protected = a.say(c, protectionKeys[target.Protection], nil)
	} else {
		check.Signals = signalTexts(c, target.Signals, a.name, target.Country)
		v, err := h.svc.Callers.HoldingCheck(c.Request().Context(), sess(c).UserID(), a.target.ID)
		if err != nil {
			return err
		}
		if v != nil {
			// The time with its zone, in the page's language ("20:28 UTC"), not a bare clock.
			until := messages.From(c.Request().Context()).Time(v.Until)
			check.Verified = t(c, messages.HdVerifiedStatus, messages.Data{"How": checkedHow(c, v), "Until": until})
			check.MinutesLeft = max(1, int(math.Ceil(v.Until.Sub(h.now()).Minutes())))
			email, shown = u.Email, rows(devs)
		}
	}
	var temporary views.TemporaryAccess
	if check.Protected == "" {
		temporary = h.temporaryStatus(c, a)
	}
	return h.render(c, http.StatusOK, views.HelpdeskUser(h.page(c, a.name, "helpdesk"), views.HelpdeskUserProps{
		Base: a.base, Name: a.name, Username: u.Username, Email: email, MFAEnabled: u.MFAEnabled, Devices: shown,
		Check: check, Country: regionName(c, u.Country()), LastSignIn: lastSignIn(c, u.LastSignIn()),
		Temporary: temporary, History: h.history(c, a.target.ID, 30),
	}))
}

// maskedRows are the device rows with every number masked (phone.Shown's mask).
func maskedRows(devs mfa.List) []views.DeviceRow {
	out := rows(devs)
	for i, d := range devs {
		if d.Masked != "" {
			out[i].Number = d.Masked
		}
	}
	return out
}

// regionName names a country in the page's language, as the number picker does; "" for none.
func regionName(c echo.Context, code string) string {
	if code == "" {
		return ""
	}
	return phone.RegionNameIn(messages.From(c.Request().Context()), code)
}

// lastSignIn words when the user last signed in, in the page's language; "" when unknown.
func lastSignIn(c echo.Context, at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return messages.From(c.Request().Context()).DateTime(at)
}
