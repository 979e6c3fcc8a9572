// Package seed starts the PingOne emulator seeded for the portal's demo mode (`portal -demo`),
// cmd/pingone-emulator and the tests: an employee, a help-desk member with a phone, a worker
// app and a web app. It adapts the emulator's outbox to internal/demo's Outbox. It is a package
// of its own, not internal/demo, so that the handlers, which read internal/demo's Outbox, do not
// link the emulator; and it needs no part of the portal's wiring (cmd/app). With
// cmd/pingone-emulator and cmd/loadtest it is the only production code that imports
// pingone/emulator.
package seed

import (
	"context"
	"time"

	"fmt"
	"io"

	"github.com/smsmfa/portal/internal/demo"
	"github.com/smsmfa/portal/internal/ids"

	"github.com/smsmfa/portal/pingone/emulator"
)

// Demo is a seeded emulator for `go run . -demo`.
type Demo struct {
	Emulator               *emulator.Server
	WorkerID, WorkerSecret string
	WebID, WebSecret       string
	HelpdeskGroup          string
	Employee, EmployeePass string
	Helpdesk, HelpdeskPass string
	EmployeeID, HelpdeskID string
	// HelpdeskPhone is the help-desk member's active SMS phone (E.164).
	HelpdeskPhone string
	SessionKey    string
}

// StartDemo starts the emulator with an employee (no device), a help-desk member with an active
// SMS phone, a worker app and a web app; RegisterPortal adds the portal's address to the web app.
func StartDemo(opts ...emulator.Options) (*Demo, error) {
	var o emulator.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	emu, err := emulator.New(o)
	if err != nil {
		return nil, err
	}
	d := &Demo{Emulator: emu, WorkerID: "portal-worker", WorkerSecret: ids.Token(24), WebID: "portal-web", WebSecret: ids.Token(24),
		Employee: "erin.employee", EmployeePass: "Welcome-" + ids.Token(4), Helpdesk: "hank.helpdesk", HelpdeskPass: "Helpdesk-" + ids.Token(4),
		SessionKey: ids.Token(48)}
	emu.AddApp(emulator.App{ClientID: d.WorkerID, ClientSecret: d.WorkerSecret, Worker: true, Roles: true})
	d.HelpdeskGroup = emu.AddGroup("Help desk")
	d.EmployeeID = emu.AddUser(emulator.SeedUser{Username: d.Employee, Email: "erin.employee@example.com", Given: "Erin", Family: "Employee", Password: d.EmployeePass, Country: "US"})
	d.HelpdeskID = emu.AddUser(emulator.SeedUser{Username: d.Helpdesk, Email: "hank.helpdesk@example.com", Given: "Hank", Family: "Helpdesk", Password: d.HelpdeskPass, GroupIDs: []string{d.HelpdeskGroup}, Country: "US"})
	// The help desk asks its staff for an MFA sign-in (issue #11): Hank's codes go to this
	// phone, and show on /demo/sms like any other text.
	d.HelpdeskPhone = "+15125550142"
	// Registered long ago: a phone added within HELPDESK_NEW_PHONE_WAIT opens no help desk
	// (issue #21).
	emu.AgeDevice(d.HelpdeskID, emu.AddSMSDevice(d.HelpdeskID, d.HelpdeskPhone, true), 30*24*time.Hour)
	if o.SMSPairingDisabled && !o.SMSDisabled {
		// SMS being phased out: Erin's phone from before keeps working and can be removed, and
		// no new one can be added.
		emu.AddSMSDevice(d.EmployeeID, "+15125550123", true)
	}
	return d, nil
}

// The values of the -demo-sms flag: the demo's MFA policy for SMS.
const (
	DemoSMSEnabled         = "enabled"
	DemoSMSPairingDisabled = "pairing-disabled"
	DemoSMSOff             = "off"
)

// DemoSMSOptions are the emulator's options for a -demo-sms value: SMS enabled (the
// default), its pairing disabled (a method being phased out: the employee has a phone from
// before, and the add-phone pages say new ones are turned off), or off.
func DemoSMSOptions(mode string) (emulator.Options, error) {
	switch mode {
	case "", DemoSMSEnabled:
		return emulator.Options{}, nil
	case DemoSMSPairingDisabled:
		return emulator.Options{SMSPairingDisabled: true}, nil
	case DemoSMSOff:
		return emulator.Options{SMSDisabled: true}, nil
	}
	return emulator.Options{}, fmt.Errorf("-demo-sms %q is not %s, %s or %s", mode, DemoSMSEnabled, DemoSMSPairingDisabled, DemoSMSOff)
}

// Outbox is the emulator's record of texts as the portal's demo pages read it.
func (d *Demo) Outbox() demo.Outbox { return emulatorOutbox{d.Emulator} }

type emulatorOutbox struct{ emu *emulator.Server }

func (o emulatorOutbox) Texts() []demo.Text {
	sent := o.emu.Outbox()
	out := make([]demo.Text, len(sent))
	for i, m := range sent {
		out[i] = demo.Text{To: m.To, Text: m.Text, Code: m.Code, SentAt: m.SentAt}
	}
	return out
}

// Emails are the emails the emulator sent, newest first, for /demo/email (the one-time codes
// the help desk's caller verification emails).
func (o emulatorOutbox) Emails() []demo.Email {
	sent := o.emu.Emails()
	out := make([]demo.Email, len(sent))
	for i, m := range sent {
		out[i] = demo.Email{To: m.To, Subject: m.Subject, Text: m.Text, Code: m.Code, SentAt: m.SentAt}
	}
	return out
}

// Send puts a notice to a person (internal/notice) in the emulator's email outbox: in demo
// mode the portal's notices land on /demo/email beside PingOne's own.
func (o emulatorOutbox) Send(_ context.Context, to, subject, text string) error {
	o.emu.RecordEmail(to, subject, text)
	return nil
}

// RegisterPortal registers the portal's redirect and sign-out URIs with the web app.
func (d *Demo) RegisterPortal(publicURL string) {
	d.RegisterWebApp([]string{publicURL + "/auth/callback"}, []string{publicURL + "/"})
}

// RegisterWebApp registers the web app with exactly these sign-in callback and sign-out URIs,
// replacing any registered before (cmd/pingone-emulator registers several portals at once).
func (d *Demo) RegisterWebApp(redirectURIs, postLogoutURIs []string) {
	d.Emulator.AddApp(emulator.App{ClientID: d.WebID, ClientSecret: d.WebSecret,
		RedirectURIs: redirectURIs, PostLogoutRedirectURIs: postLogoutURIs})
}

// Env returns the configuration variables that point the portal at the emulator.
func (d *Demo) Env(publicURL string) map[string]string {
	return map[string]string{
		"PORTAL_PUBLIC_URL":            publicURL,
		"PINGONE_ENVIRONMENT_ID":       d.Emulator.EnvironmentID(),
		"PINGONE_API_BASE":             d.Emulator.APIBase(),
		"PINGONE_AUTH_BASE":            d.Emulator.AuthBase(),
		"PINGONE_WORKER_CLIENT_ID":     d.WorkerID,
		"PINGONE_WORKER_CLIENT_SECRET": d.WorkerSecret,
		"PINGONE_WEB_CLIENT_ID":        d.WebID,
		"PINGONE_WEB_CLIENT_SECRET":    d.WebSecret,
		"SESSION_KEYS":                 d.SessionKey,
		// The demo texts nobody, so every country may be tried.
		"ALLOWED_REGIONS":    "*",
		"HELPDESK_GROUP_IDS": d.HelpdeskGroup,
	}
}

// PrintBanner writes the lines docs/ui-contract.md promises, one "name: value" a line.
func (d *Demo) PrintBanner(w io.Writer, portalURL string) {
	fmt.Fprintf(w, "portal: %s\n", portalURL)
	fmt.Fprintf(w, "pingone-auth: %s\n", d.Emulator.AuthBase())
	fmt.Fprintf(w, "pingone-api: %s\n", d.Emulator.APIBase())
	fmt.Fprintf(w, "environment-id: %s\n", d.Emulator.EnvironmentID())
	fmt.Fprintf(w, "worker-client-id: %s\n", d.WorkerID)
	fmt.Fprintf(w, "worker-client-secret: %s\n", d.WorkerSecret)
	fmt.Fprintf(w, "employee: %s / %s\n", d.Employee, d.EmployeePass)
	fmt.Fprintf(w, "helpdesk: %s / %s\n", d.Helpdesk, d.HelpdeskPass)
}
