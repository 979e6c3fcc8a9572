package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/phone"
)

// refusal words the reasons a number, a code or a resend can be refused for, or "" for other
// errors. A refused number's words come from the phone policy, which the browser's check
// shares (static/phone.js).
func refusal(c echo.Context, err error) string {
	var pe *phone.Error
	var le *limits.Error
	var dl *mfa.DeviceLimitError
	switch {
	case errors.As(err, &pe):
		return pe.MessageIn(messages.From(c.Request().Context()))
	case errors.As(err, &le):
		key, data := limitText(le)
		return t(c, key, data)
	case errors.Is(err, mfa.ErrAlreadyActive):
		return t(c, messages.AddRefusedAlreadyActive, nil)
	case errors.As(err, &dl):
		return t(c, messages.AddRefusedDeviceLimit, messages.Data{"Max": dl.Max})
	case errors.Is(err, mfa.ErrNumberRefused):
		return t(c, messages.AddRefusedNumber, nil)
	case errors.Is(err, mfa.ErrFirstPhoneElsewhere):
		return t(c, messages.AddRefusedFirstPhoneStaff, nil)
	}
	return ""
}

// limitKeys word each limit; limits not listed here get messages.LimitAny.
var limitKeys = map[string]messages.Key{
	limits.NameNewDevice:      messages.LimitNewDevice,
	limits.NameTextsToNumber:  messages.LimitTextsToNumber,
	limits.NameResendShort:    messages.LimitResendShort,
	limits.NameResendHour:     messages.LimitResendHour,
	limits.NameWrongCode:      messages.LimitWrongCode,
	limits.NameSignIn:         messages.LimitSignIn,
	limits.NameActorTexts:     messages.LimitActorTexts,
	limits.NameHelpdeskTexts:  messages.LimitHelpdeskTexts,
	limits.NameHelpdeskSearch: messages.LimitHelpdeskSearch,
}

// limitText says which limit was reached and when to try again.
func limitText(le *limits.Error) (messages.Key, messages.Data) {
	key, ok := limitKeys[le.Rule.Name]
	if !ok {
		key = messages.LimitAny
	}
	return key, messages.Data{"Wait": waitPhrase(le.RetryAfter)}
}

// waitPhrase words a wait: "a second", "20 seconds", "a minute", "5 minutes".
func waitPhrase(d time.Duration) messages.Phrase {
	switch {
	case d <= time.Second:
		return messages.Phrase{Key: messages.WaitSecond}
	case d < time.Minute:
		return messages.Phrase{Key: messages.WaitSeconds, Data: messages.Data{"N": int(d.Seconds())}}
	case d < 2*time.Minute:
		return messages.Phrase{Key: messages.WaitMinute}
	}
	return messages.Phrase{Key: messages.WaitMinutes, Data: messages.Data{"N": int(d.Round(time.Minute).Minutes())}}
}

// refusalStatus is 429 with Retry-After for a limit, 422 for anything else refused.
func refusalStatus(c echo.Context, err error) int {
	var le *limits.Error
	if errors.As(err, &le) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(le.RetryAfter.Seconds())))
		return http.StatusTooManyRequests
	}
	return http.StatusUnprocessableEntity
}

// countRefusal counts a refusal by its reason (portal_refusals_total).
func (h *Handler) countRefusal(err error) {
	h.ops.Metrics.Refusal(refusalReason(err))
}

// refusalReason is a refusal's reason as a metric label: one of a small, fixed set, never the
// number or code that was refused.
func refusalReason(err error) string {
	var pe *phone.Error
	var le *limits.Error
	switch {
	case errors.As(err, &pe):
		return "number_" + string(pe.Reason)
	case errors.As(err, &le):
		return "limit_" + le.Rule.Name
	case errors.Is(err, mfa.ErrAlreadyActive):
		return "already_active"
	case errors.As(err, new(*mfa.DeviceLimitError)):
		return "device_limit"
	case errors.Is(err, mfa.ErrNumberRefused):
		return "number_refused_by_pingone"
	case errors.Is(err, mfa.ErrBadCode):
		return "code_malformed"
	case errors.Is(err, mfa.ErrWrongCode):
		return "code_wrong"
	case errors.Is(err, mfa.ErrLocked):
		return "code_locked"
	}
	return "other"
}

// reasonOf is a refusal's reason for logs and audit records.
func reasonOf(err error) string {
	var pe *phone.Error
	if errors.As(err, &pe) {
		return string(pe.Reason)
	}
	return err.Error()
}
