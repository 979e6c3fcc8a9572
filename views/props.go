// Package views holds the portal's pages as templ components. Every page takes a Page (what
// the layout needs) and its own typed props; nothing here decides anything. Every sentence
// comes from the message catalog (internal/messages) in the language of the printer the
// handlers put in the request's context; props carry only data and sentences already worded.
package views

import (
	"time"

	"github.com/smsmfa/portal/internal/messages"
)

// Page is what every page's layout needs.
type Page struct {
	Title string
	// User is the signed-in person, or nil.
	User *User
	// CSRF is the token every form that changes something posts back.
	CSRF string
	// Flash is a one-time message from the previous step.
	Flash Flash
	// Demo shows the demo banner and the link to the texts the emulator sent.
	Demo bool
	// Assets are the content-hashed URLs of the static files.
	Assets Assets
	// Staff shows the help-desk link.
	Staff bool
	// Nav is the current section, to mark the active link.
	Nav string
	// Temporary, when set, says until when the signed-in person has temporary access
	// (TemporaryAt, worded in Temporary).
	Temporary   string
	TemporaryAt time.Time
	// Problem is why the server refused the page's form, shown first in the main content as
	// the error summary, linked to the field ProblemField; the title then starts "Error: ".
	Problem, ProblemField string
	// Failed marks an error page: its title starts "Error: " too.
	Failed bool
}

// User is the signed-in person as pages show them.
type User struct{ Name, Username string }

// Flash is a one-time message.
type Flash struct {
	Text string
	// Kind is "success" or "error".
	Kind string
}

// Assets are static files' URLs.
type Assets struct{ CSS, EnrollJS, VerifyJS, PhoneJS, LocalTimeJS string }

// DeviceRow is one device on the list.
type DeviceRow struct {
	ID, Type, Number, Nickname string
	// State is the catalog key of the device's state ("Active", "Waiting for code", ...).
	State                         messages.Key
	Default, SMS, Waiting, Active bool
	Locked                        bool
	// Added is when the device was added (zero: unknown); the page words it in its language.
	Added time.Time
}

// Label names the device for a screen reader beside a button: its number, or its type (TOTP,
// EMAIL) when it has none.
func (r DeviceRow) Label() string {
	if r.Number != "" {
		return r.Number
	}
	return r.Type
}

// DevicesProps is the devices page.
type DevicesProps struct {
	Devices []DeviceRow
	// CanAdd is false when the device limit is reached.
	CanAdd bool
	// MaxDevices is PingOne's cap on a person's devices, for the words at the cap.
	MaxDevices int
	// SetUp is the page for someone already set up who opened the onboarding link again.
	SetUp bool
	// Recent is the person's latest MFA events, shown under their phones; nil shows none.
	Recent *History
}

// RegionOption is a country in the picker.
type RegionOption struct {
	Code, Label string
	Selected    bool
}

// PhoneForm is the add-phone form, blank or with a refused number and its reason.
type PhoneForm struct {
	Action  string
	Regions []RegionOption
	Number  string
	Error   string
	MetaURL string
	// For is the person the phone is for, when staff add it on someone's behalf.
	For string
	// Reason shows the help desk's "Reason or ticket" field; ReasonRequired makes it mandatory.
	Reason                   bool
	ReasonRequired           bool
	ReasonValue, ReasonError string
	Back                     string
	// StrongerURL links to the organisation's guide to stronger methods, when configured.
	StrongerURL string
	// Replacing is the number of the phone the new one replaces (issue #23), "" when adding.
	Replacing string
	// Home is the code of the user's country in the directory and HomeName its name, when
	// staff add a phone: a number from another country is pointed out before it is sent.
	Home, HomeName string
	// TextsJSON are the refusals and region names the page's script words its live check with,
	// in the page's language, as HTML-safe JSON (phone.BrowserTextsJSON), so the script holds
	// no sentence of its own.
	TextsJSON ScriptJSON
	// CodeLength is the SMS code's number of digits, from the MFA policy.
	CodeLength int
	// AlternativeURL is where people set up a passkey or an authenticator app instead, when
	// configured (ALTERNATIVE_METHODS_URL).
	AlternativeURL string
}

// VerifyForm is the code page.
type VerifyForm struct {
	DeviceID, Number, Error, Info string
	VerifyAction, ResendAction    string
	// CoolDown is how many seconds until "Resend code" may be used again.
	CoolDown int
	Cancel   string
	// CodeLength is the SMS code's number of digits, from the MFA policy.
	CodeLength int
	// Rules is the code's lifetime and tries from the MFA policy, worded; "" when unknown.
	Rules string
}

// UserResult is one user found by the help desk.
type UserResult struct {
	URL, Name, Username, Email string
	MFAEnabled                 bool
	Devices                    int
}

// SearchProps is the help desk's search page.
type SearchProps struct {
	Query, Error string
	Searched     bool
	Results      []UserResult
	Total        int
	// Refine, when set, says there were more users than shown: the agent refines the search.
	Refine string
	// Approvals are colleagues' requests this staff member may approve.
	Approvals []ApprovalItem
}

// HelpdeskUserProps is a user's page in the help desk.
type HelpdeskUserProps struct {
	Base, Name, Username, Email string
	MFAEnabled                  bool
	Devices                     []DeviceRow
	// Check is the caller verification: changes are offered only once the caller is verified.
	Check CallerCheck
	// Temporary is the user's temporary access (status and controls).
	Temporary TemporaryAccess
	// History is the user's MFA events of the last 14 days.
	History History
	// Country is the user's country in the directory, named in the page's language; LastSignIn
	// is when they last signed in, worded; "" when not known.
	Country, LastSignIn string
}

// ConfirmProps is a confirmation before a change.
type ConfirmProps struct {
	Heading, Body, Action, Button, Cancel string
	// Warning shows the body as a warning; Danger marks the button.
	Warning, Danger bool
	// Reason shows the help desk's "Reason or ticket" field; ReasonRequired makes it mandatory.
	Reason, ReasonRequired bool
	ReasonValue, Error     string
	// Hidden are extra fields to post back.
	Hidden map[string]string
	// Next, when set, says what follows the button (the step-up before a removal).
	Next string
}

// StepUpProps explains the extra check before a phone is added or removed.
type StepUpProps struct {
	// Continue starts PingOne's MFA sign-in; Masked is the phone the code goes to.
	Continue, Masked string
}

// RenameProps is the form that names a phone.
type RenameProps struct {
	Action, Number, Nickname, Error string
}

// ErrorProps is the error page.
type ErrorProps struct {
	Status            int
	Heading, Message  string
	RequestID         string
	ActionURL, Action string
}

// SMSRow is one text in the demo outbox.
type SMSRow struct{ To, Text, Code, SentAt string }

// EmailRow is one email in the demo outbox.
type EmailRow struct{ To, Subject, Text, Code, SentAt string }

// MailboxCheckProps is the check of a person's mailbox before their first phone.
type MailboxCheckProps struct {
	// Email is the directory address, masked; NoEmail says why there is no check to make.
	Email, NoEmail string
	// Sent says where the code waiting to be typed went ("" when none is waiting).
	Sent string
	// Error is a refusal in words; Field the input it is about ("code" or "send").
	Error, Field string
}

// LinkAction is one of a device's actions that is a link.
type LinkAction struct {
	// Label is the link's words; Hidden follows them for screen readers only (the number).
	Href, Label, Hidden string
	// Link draws it as the help desk's table draws its links.
	Link bool
}

// InlineAction is one of a device's actions drawn as a button in its own small form.
type InlineAction struct {
	// Method is "get" (to a confirmation page) or "post" (with CSRF, the token).
	Method, Action, CSRF string
	// Label is the button's words; Hidden follows them for screen readers only (the number).
	Label, Hidden string
	// Danger draws the button in red ("Remove").
	Danger bool
}

// CodeField is the field for a code someone was sent.
type CodeField struct {
	Label, Autocomplete string
	// Digits draws the input as a code (spaced, left to right in every language).
	Digits bool
	// Error is why the code was refused; "" when it was not.
	Error string
}

// fieldError is a page's error when it is about the field named field, else "".
func fieldError(about, field, msg string) string {
	if about != field {
		return ""
	}
	return msg
}
