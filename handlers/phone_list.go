package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/views"
)

// devices lists the person's phones, and under them their latest MFA events (issue #23): one
// more PingOne call (the activities, kept a minute), made beside the list's.
func (h *Handler) devices(c echo.Context) error {
	s := sess(c)
	ctx := c.Request().Context()
	recent := h.startHistory(ctx, s.UserID(), recentOnPhones)
	devs, err := h.svc.MFA.Devices(ctx, s.UserID())
	if err != nil {
		return err
	}
	if s.MFAPending() && devs.HasActive() {
		// A verification succeeded but turning MFA on failed then: try again now.
		if err := h.svc.MFA.EnsureMFAEnabled(ctx, s.UserID()); err == nil {
			s.SetMFAPending(false)
			_ = save(c)
		}
	}
	max := h.svc.MFA.DeviceCap(ctx)
	read := <-recent
	hist := h.wordHistory(c, s.UserID(), read.events, read.err)
	return h.render(c, http.StatusOK, views.Devices(h.page(c, t(c, messages.DevicesTitle, nil), "devices"),
		views.DevicesProps{Devices: rows(devs), CanAdd: devs.CanAdd(max), MaxDevices: max, Recent: &hist}))
}
