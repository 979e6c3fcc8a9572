package emulator

import (
	"slices"
	"strconv"
	"time"
)

// Email is one email the emulator "sent": PingOne's notice of a new method, or a passcode for
// a device authentication to a one-time email address.
type Email struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Code is the passcode the email carries, "" for a notice.
	Code   string    `json:"code,omitempty"`
	SentAt time.Time `json:"sentAt"`
}

// SMS is one text the emulator "sent".
type SMS struct {
	To     string    `json:"to"`
	Text   string    `json:"text"`
	Code   string    `json:"code"`
	SentAt time.Time `json:"sentAt"`
}

// Outbox returns the texts sent so far, newest first.
func (s *Server) Outbox() []SMS { return newestFirst(s, &s.outbox) }

// LastCode returns the newest code texted to the E.164 number, or "" (texts without a code,
// such as a new-method notice, are skipped).
func (s *Server) LastCode(phone string) string {
	return lastCode(s.Outbox(), phone, func(m SMS) (string, string) { return m.To, m.Code })
}

// Emails returns the emails sent so far, newest first.
func (s *Server) Emails() []Email { return newestFirst(s, &s.emails) }

// LastEmailCode returns the newest code emailed to the address, or "" (notices, which carry
// no code, are skipped).
func (s *Server) LastEmailCode(to string) string {
	return lastCode(s.Emails(), to, func(m Email) (string, string) { return m.To, m.Code })
}

// newestFirst returns a copy of the messages in *sent, newest first, read under s.mu.
func newestFirst[T any](s *Server, sent *[]T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(*sent)
	slices.Reverse(out)
	return out
}

// lastCode returns the code of the first message in sent (newest first) to the address to that
// carries one, or ""; addr gives a message's address and code.
func lastCode[T any](sent []T, to string, addr func(T) (string, string)) string {
	for _, m := range sent {
		if a, code := addr(m); a == to && code != "" {
			return code
		}
	}
	return ""
}

// RecordEmail puts an email someone else sent (the portal's notices in demo mode) in the
// emulator's email outbox, beside PingOne's own.
func (s *Server) RecordEmail(to, subject, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emails = append(s.emails, Email{To: to, Subject: subject, Text: text, SentAt: s.now().UTC()})
}

// notifyNewDevice tells the user a method was added, as the device policy's
// newDeviceNotification says: by email when they have an address and SMS otherwise
// (EMAIL_THEN_SMS), the other way round (SMS_THEN_EMAIL), or not at all. PingOne's text is
// its localised new_device_paired template; this one says the same in English. s.mu is held.
func (s *Server) notifyNewDevice(u *user, d *device) {
	now := s.now().UTC()
	text := "A new sign-in method was added to your account: SMS to the phone ending " + maskTail(d.Phone) +
		". If this was not you, contact your help desk."
	email := func() {
		s.emails = append(s.emails, Email{To: u.Email, Subject: "New sign-in method added", Text: text, SentAt: now})
	}
	sms := func() { s.outbox = append(s.outbox, SMS{To: d.Phone, Text: text, SentAt: now}) }
	switch s.opts.NewDeviceNotification {
	case NotifyEmailThenSMS:
		if u.Email != "" {
			email()
		} else {
			sms()
		}
	case NotifySMSThenEmail:
		if d.Phone != "" {
			sms()
		} else if u.Email != "" {
			email()
		}
	}
}

// passcode is a one-time passcode the emulator sends: the code, when it expires, when it was
// sent and the message that carries it.
type passcode struct {
	code           string
	expiry, sentAt time.Time
	text           string
}

// newPasscode makes a passcode of the policy's length and lifetime, sent now.
func (s *Server) newPasscode(p SMSPolicy) passcode {
	now := s.now()
	code := randomDigits(p.OTPLength)
	return passcode{code: code, expiry: now.Add(p.OTPLifetime), sentAt: now.UTC(),
		text: "Your passcode is " + code + ". It expires in " + strconv.Itoa(int(p.OTPLifetime.Minutes())) + " minutes."}
}

// sms is the text message that carries p to the number to.
func (p passcode) sms(to string) SMS {
	return SMS{To: to, Code: p.code, SentAt: p.sentAt, Text: p.text}
}

// maskTail shows only a phone number's last four digits, as PingOne's messages and pages do.
func maskTail(phone string) string {
	if len(phone) > 4 {
		return "•••" + phone[len(phone)-4:]
	}
	return phone
}

func randomDigits(n int) string {
	b := []byte(randomToken(n))
	out := make([]byte, n)
	for i := range out {
		out[i] = '0' + b[i]%10
	}
	return string(out)
}
