package handlers

import (
	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/views"
)

// maskedLabel names a device in flash messages and audit records, which travel in the session
// cookie or the log: never with the full number.
func maskedLabel(c echo.Context, d mfa.Device) string {
	if d.Masked != "" {
		return d.Masked
	}
	return t(c, messages.DeviceUnnamed, messages.Data{"Type": d.Type})
}

// deviceLabel names a device on its own pages: the full number, which the person typed.
func deviceLabel(c echo.Context, d mfa.Device) string {
	if d.Number != "" {
		return d.Number
	}
	return t(c, messages.DeviceUnnamed, messages.Data{"Type": d.Type})
}

// stateKeys word the devices' states.
var stateKeys = map[mfa.State]messages.Key{
	mfa.StateActive:  messages.StateActive,
	mfa.StateWaiting: messages.StateWaiting,
	mfa.StateBlocked: messages.StateBlocked,
	mfa.StateLocked:  messages.StateLocked,
	mfa.StateOther:   messages.StateNotActive,
}

// noCodeKeys say that a device in this state has no code to enter.
var noCodeKeys = map[mfa.State]messages.Key{
	mfa.StateActive:  messages.VerifyNoCodeActive,
	mfa.StateBlocked: messages.VerifyNoCodeBlocked,
	mfa.StateLocked:  messages.VerifyNoCodeLocked,
	mfa.StateOther:   messages.VerifyNoCodeNotActive,
}

// rows are the devices as the lists show them.
func rows(devs []mfa.Device) []views.DeviceRow {
	out := make([]views.DeviceRow, 0, len(devs))
	for _, d := range devs {
		r := views.DeviceRow{ID: d.ID, Type: d.Type, Number: d.Number, Nickname: d.Nickname, State: stateKeys[d.State],
			Default: d.Default, SMS: d.IsSMS(), Waiting: d.State == mfa.StateWaiting, Active: d.State == mfa.StateActive,
			Locked: d.State == mfa.StateLocked}
		r.Added = d.Created
		out = append(out, r)
	}
	return out
}
