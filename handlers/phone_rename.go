package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/views"
)

// renameForm shows the form that names a phone.
func (h *Handler) renameForm(c echo.Context) error {
	d, err := h.svc.MFA.Device(c.Request().Context(), sess(c).UserID(), c.Param("id"))
	if err != nil {
		return err
	}
	return h.renderRename(c, http.StatusOK, d, d.Nickname, "")
}

// rename names a phone.
func (h *Handler) rename(c echo.Context) error {
	ctx, uid := c.Request().Context(), sess(c).UserID()
	id, in := c.Param("id"), form.NewRename(c.Request())
	var d mfa.Device
	err := in.Problem()
	if err == nil {
		d, err = h.svc.MFA.Rename(ctx, uid, id, in.Nickname)
	}
	if errors.Is(err, mfa.ErrNickname) {
		cur, gerr := h.svc.MFA.Device(ctx, uid, id)
		if gerr != nil {
			return gerr
		}
		return h.renderRename(c, http.StatusUnprocessableEntity, cur, in.Shown(), t(c, messages.RenameInvalid, nil))
	}
	if err != nil {
		return err
	}
	h.record(c, nil, audit.Event{Action: audit.ActionRename, DeviceID: d.ID, NewNumber: d.Masked, Outcome: audit.OutcomeSuccess})
	return done(c, "/devices", session.Success, messages.RenameDone, map[string]string{"Device": maskedLabel(c, d), "Name": d.Nickname})
}

func (h *Handler) renderRename(c echo.Context, status int, d mfa.Device, nickname, errMsg string) error {
	label := deviceLabel(c, d)
	return h.render(c, status, views.Rename(h.page(c, t(c, messages.RenameTitle, messages.Data{"Device": label}), "devices"),
		views.RenameProps{Action: "/devices/" + d.ID + "/rename", Number: label, Nickname: nickname, Error: errMsg}))
}
