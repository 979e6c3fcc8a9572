// Package demo is what the portal's demo mode shows of the emulated PingOne: the texts and
// emails it "sent". The handlers read an Outbox; only the demo's seed (internal/demo/seed) knows
// the emulator behind it.
package demo

import "time"

// Text is one text message PingOne would have sent.
type Text struct {
	To     string    `json:"to"`
	Text   string    `json:"text"`
	Code   string    `json:"code"`
	SentAt time.Time `json:"sentAt"`
}

// Email is one email PingOne would have sent: its notice of a new sign-in method, or a
// one-time code.
type Email struct {
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	Code    string    `json:"-"` // shown on the outbox page; the JSON keeps ui-contract.md's four fields
	SentAt  time.Time `json:"sentAt"`
}

// Outbox lists the texts and the emails sent, newest first.
type Outbox interface {
	Texts() []Text
	Emails() []Email
}
