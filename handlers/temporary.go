package handlers

import (
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/mfa"
)

// temporaryAtSignIn reads, at sign-in, whether the person has temporary access (PingOne's MFA
// bypass) and until when: the session keeps it for the banner and the step-up rule. PingOne
// not answering leaves it unknown (zero), never the sign-in failed: a step-up is then still
// refused by its amr, only in less precise words.
func (h *Handler) temporaryAtSignIn(c echo.Context, userID string) time.Time {
	b, err := h.svc.MFA.TemporaryAccess(c.Request().Context(), userID)
	if err != nil {
		h.log().WarnContext(c.Request().Context(), "temporary access unreadable at sign-in", "user_id", userID, "error", err.Error())
		return time.Time{}
	}
	return b.Until
}

// onTemporaryAccess reports, for a step-up PingOne let through on the password alone, whether
// the person has temporary access now (given since they signed in, perhaps): the session then
// keeps it, and the refusal says why in words.
func (h *Handler) onTemporaryAccess(c echo.Context, userID string, amr []string) bool {
	if mfa.SecondFactor(amr) || userID != sess(c).UserID() {
		return false
	}
	until := h.temporaryAtSignIn(c, userID)
	if until.IsZero() {
		return false
	}
	sess(c).SetTemporaryAccess(until)
	if err := save(c); err != nil {
		h.log().WarnContext(c.Request().Context(), "session not saved", "error", err.Error())
	}
	return true
}
