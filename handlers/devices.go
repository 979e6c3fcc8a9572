package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/audit"
	"github.com/smsmfa/portal/internal/mfa"
	"github.com/smsmfa/portal/views"
)

// maxDevices is PingOne's default device limit, used to hide "Add a phone" when reached.
const maxDevices = 5

func rows(devs []mfa.Device) []views.DeviceRow {
	out := make([]views.DeviceRow, 0, len(devs))
	for _, d := range devs {
		r := views.DeviceRow{ID: d.ID, Type: d.Type, Number: d.Number, Nickname: d.Nickname, State: string(d.State),
			Default: d.Default, SMS: d.IsSMS(), Waiting: d.State == mfa.StateWaiting, Active: d.State == mfa.StateActive,
			Locked: d.State == mfa.StateLocked}
		if !d.Created.IsZero() {
			r.Added = d.Created.UTC().Format("2 Jan 2006")
		}
		out = append(out, r)
	}
	return out
}

// devices lists the person's devices.
func (h *Handler) devices(c echo.Context) error {
	s := h.sess(c)
	ctx := c.Request().Context()
	devs, err := h.mfa.Devices(ctx, s.userID())
	if err != nil {
		return err
	}
	if s.bool(keyMFAPending) && mfa.HasActive(devs) {
		// A verification succeeded but turning MFA on failed then: try again now.
		if err := h.mfa.EnsureMFAEnabled(ctx, s.userID()); err == nil {
			delete(s.s.Values, keyMFAPending)
			_ = h.save(c)
		}
	}
	return h.render(c, http.StatusOK, views.Devices(h.page(c, "Your phones", "devices"),
		views.DevicesProps{Devices: rows(devs), CanAdd: len(devs) < maxDevices}))
}

// removeForm asks for confirmation before removing a device.
func (h *Handler) removeForm(c echo.Context) error {
	s := h.sess(c)
	ctx := c.Request().Context()
	devs, err := h.mfa.Devices(ctx, s.userID())
	if err != nil {
		return err
	}
	id := c.Param("id")
	if redirected, err := h.stepUpFor(c, devs, "/devices/"+id+"/remove"); redirected || err != nil {
		return err
	}
	var dev *mfa.Device
	active := 0
	for i := range devs {
		if devs[i].ID == id {
			dev = &devs[i]
		}
		if devs[i].State == mfa.StateActive {
			active++
		}
	}
	if dev == nil {
		return mfa.ErrNotFound
	}
	label := dev.Number
	if label == "" {
		label = dev.Type + " device"
	}
	return h.render(c, http.StatusOK, views.RemoveConfirm(h.page(c, "Remove "+label, "devices"), views.RemoveProps{
		Action: "/devices/" + id + "/remove", Number: dev.Number, Label: label, Cancel: "/devices",
		LastActive: dev.State == mfa.StateActive && active == 1,
	}))
}

// remove deletes the device after confirmation.
func (h *Handler) remove(c echo.Context) error {
	s := h.sess(c)
	ctx := c.Request().Context()
	if redirected, err := h.stepUp(c, "/devices/"+c.Param("id")+"/remove"); redirected || err != nil {
		return err
	}
	d, err := h.mfa.Remove(ctx, s.userID(), c.Param("id"))
	if err != nil {
		if !errors.Is(err, mfa.ErrNotFound) {
			h.record(c, audit.Event{Action: audit.ActionRemove, DeviceID: c.Param("id"), Outcome: audit.OutcomeFailed, Detail: classify(err).Heading})
		}
		return err
	}
	h.record(c, audit.Event{Action: audit.ActionRemove, DeviceID: d.ID, OldNumber: d.Masked, Outcome: audit.OutcomeSuccess})
	s.flash("success", maskedLabel(d)+" was removed.")
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, "/devices")
}

// makeDefault puts one of the person's active phones first: PingOne uses it first at sign-in.
func (h *Handler) makeDefault(c echo.Context) error {
	s := h.sess(c)
	d, err := h.mfa.MakeDefault(c.Request().Context(), s.userID(), c.Param("id"))
	switch {
	case errors.Is(err, mfa.ErrNotActive):
		s.flash("error", "Only an active phone can be the default. Enter its code first.")
	case err != nil:
		return err
	default:
		h.record(c, audit.Event{Action: audit.ActionSetDefault, DeviceID: d.ID, NewNumber: d.Masked, Outcome: audit.OutcomeSuccess})
		s.flash("success", maskedLabel(d)+" is now your default phone.")
	}
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, "/devices")
}

// renameForm shows the form that names a phone.
func (h *Handler) renameForm(c echo.Context) error {
	d, err := h.mfa.Device(c.Request().Context(), h.sess(c).userID(), c.Param("id"))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, views.Rename(h.page(c, "Rename "+deviceLabel(d), "devices"),
		views.RenameProps{Action: "/devices/" + d.ID + "/rename", Number: deviceLabel(d), Nickname: d.Nickname}))
}

// rename names a phone.
func (h *Handler) rename(c echo.Context) error {
	s := h.sess(c)
	ctx := c.Request().Context()
	id, name := c.Param("id"), c.FormValue("nickname")
	d, err := h.mfa.Rename(ctx, s.userID(), id, name)
	if errors.Is(err, mfa.ErrNickname) {
		cur, gerr := h.mfa.Device(ctx, s.userID(), id)
		if gerr != nil {
			return gerr
		}
		if len(name) > 4*mfa.MaxNickname {
			name = name[:4*mfa.MaxNickname]
		}
		return h.render(c, http.StatusUnprocessableEntity, views.Rename(h.page(c, "Rename "+deviceLabel(cur), "devices"),
			views.RenameProps{Action: "/devices/" + id + "/rename", Number: deviceLabel(cur), Nickname: name,
				Error: "Give the phone a name of 1 to 40 characters."}))
	}
	if err != nil {
		return err
	}
	h.record(c, audit.Event{Action: audit.ActionRename, DeviceID: d.ID, NewNumber: d.Masked, Outcome: audit.OutcomeSuccess})
	s.flash("success", maskedLabel(d)+" is now called “"+d.Nickname+"”.")
	if err := h.save(c); err != nil {
		return err
	}
	return redirect(c, "/devices")
}
