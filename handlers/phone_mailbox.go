package handlers

// The mailbox check before a first phone (FIRST_PHONE_PROOF=email, issue #21): a person with no
// active phone types a one-time code PingOne emails to their address in the directory, the same
// one-time email device authentication the help desk's caller check uses; then the add-phone
// form sends their first code.

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/smsmfa/portal/internal/form"
	"github.com/smsmfa/portal/internal/helpdesk"
	"github.com/smsmfa/portal/internal/limits"
	"github.com/smsmfa/portal/internal/messages"
	"github.com/smsmfa/portal/internal/phone"
	"github.com/smsmfa/portal/internal/session"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/views"
)

const mailboxPage = "/devices/mailbox"

// mailboxForm shows the check: the button that emails a code and, once one went, its field.
func (h *Handler) mailboxForm(c echo.Context) error {
	if h.site.FirstPhoneProof != "email" {
		return redirect(c, addForm)
	}
	return h.renderMailbox(c, http.StatusOK, "", "")
}

// renderMailbox shows the check with a refusal (errMsg, by field), reading the person's address.
func (h *Handler) renderMailbox(c echo.Context, status int, errMsg, field string) error {
	u, err := h.svc.PingOne.GetUser(c.Request().Context(), sess(c).UserID(), false)
	if err != nil {
		return err
	}
	return h.renderMailboxFor(c, u, status, errMsg, field)
}

// renderMailboxFor is renderMailbox for a request that has read the person already (u).
func (h *Handler) renderMailboxFor(c echo.Context, u *pingone.User, status int, errMsg, field string) error {
	ctx, uid := c.Request().Context(), sess(c).UserID()
	m := views.MailboxCheckProps{Email: phone.MaskEmail(u.Email), Error: errMsg, Field: field}
	if m.Email == "" {
		m.NoEmail = t(c, messages.MailboxNoEmail, nil)
	}
	p, err := h.svc.Callers.MailboxPending(ctx, uid)
	if err != nil {
		return err
	}
	if p != nil {
		m.Sent = t(c, messages.MailboxSent, messages.Data{"Email": p.Masked})
	}
	return h.render(c, status, views.MailboxCheck(h.page(c, t(c, messages.MailboxTitle, nil), "devices"), m))
}

// mailboxSend has PingOne email the person a code, to their address in the directory.
func (h *Handler) mailboxSend(c echo.Context) error {
	if h.site.FirstPhoneProof != "email" {
		return redirect(c, addForm)
	}
	ctx, uid := c.Request().Context(), sess(c).UserID()
	u, err := h.svc.PingOne.GetUser(ctx, uid, false)
	if err != nil {
		return err
	}
	_, err = h.svc.Callers.SendMailboxCode(ctx, uid, u.Email)
	var tm *helpdesk.TooManyError
	switch {
	case err == nil:
		h.log().InfoContext(ctx, "mailbox code sent", "user_id", uid, "email", phone.MaskEmail(u.Email))
		return redirect(c, mailboxPage)
	case errors.Is(err, helpdesk.ErrNoEmail):
		return h.renderMailboxFor(c, u, http.StatusUnprocessableEntity, "", "")
	case errors.As(err, &tm):
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(tm.RetryAfter.Seconds())))
		return h.renderMailboxFor(c, u, http.StatusTooManyRequests, t(c, messages.MailboxTooMany, messages.Data{"Wait": waitPhrase(tm.RetryAfter)}), "send")
	case errors.As(err, new(*limits.Error)):
		return h.renderMailboxFor(c, u, refusalStatus(c, err), refusal(c, err), "send")
	}
	return err
}

// mailboxCode checks the code the person typed; a right one lets the add-phone form send their
// first code (within STEP_UP_MAX_AGE).
func (h *Handler) mailboxCode(c echo.Context) error {
	if h.site.FirstPhoneProof != "email" {
		return redirect(c, addForm)
	}
	ctx, uid := c.Request().Context(), sess(c).UserID()
	err := h.svc.Callers.CheckMailboxCode(ctx, uid, form.NewCode(c.Request()).Code)
	var wrong *helpdesk.WrongCodeError
	switch {
	case err == nil:
		sess(c).MailboxProved(h.now())
		h.log().InfoContext(ctx, "mailbox proved", "user_id", uid)
		return done(c, addForm, session.Success, messages.MailboxDone, nil)
	case errors.Is(err, helpdesk.ErrBadCode):
		return h.renderMailbox(c, http.StatusUnprocessableEntity, t(c, messages.MailboxBadCode, nil), "code")
	case errors.As(err, &wrong):
		return h.renderMailbox(c, http.StatusUnprocessableEntity, t(c, messages.MailboxWrong, nil), "code")
	case errors.Is(err, helpdesk.ErrNoCodeSent):
		return h.renderMailbox(c, http.StatusUnprocessableEntity, t(c, messages.MailboxNoCode, nil), "send")
	case errors.Is(err, helpdesk.ErrCodeOver):
		return h.renderMailbox(c, http.StatusUnprocessableEntity, t(c, messages.MailboxOver, nil), "send")
	}
	return err
}
