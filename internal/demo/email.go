package demo

import "time"

// Email is one email PingOne would have sent (a one-time code for the help desk's caller
// verification, or a notice).
type Email struct {
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
	SentAt  time.Time `json:"sentAt"`
}

// Mailbox lists the emails sent, newest first. An Outbox that is also a Mailbox gets the demo's
// /demo/email page.
type Mailbox interface {
	Emails() []Email
}
