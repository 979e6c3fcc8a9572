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

// reasonOf is a refusal's reason for logs and audit records.
func reasonOf(err error) string {
	var pe *phone.Error
	if errors.As(err, &pe) {
		return string(pe.Reason)
	}
	return err.Error()
}
