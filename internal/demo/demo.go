// Package demo is what the portal's demo mode shows of the emulated PingOne: the texts it
// "sent". The handlers read an Outbox; only the demo wiring (internal/app) knows the
// emulator behind it.
package demo

import "time"

// Text is one text message PingOne would have sent.
type Text struct {
	To     string    `json:"to"`
	Text   string    `json:"text"`
	Code   string    `json:"code"`
	SentAt time.Time `json:"sentAt"`
}

// Outbox lists the texts sent, newest first.
type Outbox interface {
	Texts() []Text
}
