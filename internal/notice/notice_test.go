package notice_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/internal/logging"
	"github.com/smsmfa/portal/internal/notice"
	"github.com/smsmfa/portal/pingone"
	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// directory starts an emulator with Ada (German profile) and Bob (no address), and a PingOne
// client for it.
func directory(t *testing.T) (dir *pingone.Client, ada, bob string) {
	t.Helper()
	emu := pingonetest.Start(t, emulator.Options{})
	emu.AddApp(emulator.App{ClientID: "worker", ClientSecret: "s3cret", Worker: true, Roles: true})
	ada = emu.AddUser(emulator.SeedUser{Username: "ada", Email: "ada@example.com", Given: "Ada", Password: "pw", PreferredLanguage: "de"})
	bob = emu.AddUser(emulator.SeedUser{Username: "bob", Given: "Bob", Password: "pw"})
	c, err := pingone.New(pingone.Config{EnvironmentID: emu.EnvironmentID(), APIBase: emu.APIBase(), AuthBase: emu.AuthBase(),
		ClientID: "worker", ClientSecret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	return c, ada, bob
}

func smtpConfig(port int) config.Notices {
	return config.Notices{SMTPHost: "127.0.0.1", SMTPPort: port, From: "IT help desk <helpdesk@example.com>", Contact: "+1 512 555 0100"}
}

// TestNoticeBySMTPWithSTARTTLS sends a notice through a real SMTP server that requires
// STARTTLS: in the person's language, what changed, when, by whom with the ticket, whom to
// call; the ticket only, never the rest of the reason.
func TestNoticeBySMTPWithSTARTTLS(t *testing.T) {
	dir, ada, _ := directory(t)
	cert, key, trust := selfSigned(t, t.TempDir())
	srv := startSMTP(t, 0, cert, key)
	tr := notice.NewSMTP(smtpConfig(srv.Port))
	tr.TLS = trust
	var logs bytes.Buffer
	s := notice.New(dir, tr, notice.Options{Contact: "+1 512 555 0100", Logger: logging.New(&logs, slog.LevelInfo)})
	until := time.Date(2026, 12, 8, 9, 30, 0, 0, time.UTC)
	s.Notify(logging.WithRequestID(context.Background(), "req-1"), notice.Notice{UserID: ada, Kind: notice.TemporarySet, ByHelpdesk: true,
		Ticket: notice.Ticket("INC-4711 lost phone on a trip to Lisbon"), Until: until, At: until.Add(-time.Hour)})
	s.Wait()
	m := srv.waitMessages(t, 1)[0]
	if m.Header.Get("To") != "<ada@example.com>" || !strings.Contains(m.Header.Get("From"), "helpdesk@example.com") {
		t.Errorf("addresses: to %q from %q", m.Header.Get("To"), m.Header.Get("From"))
	}
	for _, want := range []string{"Sie haben vorübergehenden Zugang erhalten: Bis 8. Dez. 2026, 09:30 Uhr UTC", "Wann: 8. Dez. 2026, 08:30 Uhr UTC.",
		"Wer: der Helpdesk (Ticket INC-4711).", "rufen Sie sofort den Helpdesk an: +1 512 555 0100."} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("the body lacks %q:\n%s", want, m.Body)
		}
	}
	if m.Subject != "Eine Änderung an Ihrer Anmeldung" {
		t.Errorf("subject %q", m.Subject)
	}
	if strings.Contains(m.Body, "Lisbon") {
		t.Error("the reason beyond its ticket reached the email")
	}
	if sent, failed, lost := s.Counts(); sent != 1 || failed != 0 || lost != 0 {
		t.Errorf("counts %d %d %d", sent, failed, lost)
	}
	if !strings.Contains(logs.String(), `"request_id":"req-1"`) {
		t.Errorf("log lines lack the request ID: %s", logs.String())
	}
}

// TestNoticeRetriedUntilTheServerAnswers: the mail server is down when the change is made; the
// failure is logged and counted, and a later attempt delivers the notice.
func TestNoticeRetriedUntilTheServerAnswers(t *testing.T) {
	dir, ada, _ := directory(t)
	port := freePort(t)
	var logs bytes.Buffer
	s := notice.New(dir, notice.NewSMTP(smtpConfig(port)), notice.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Attempts: 5, FirstWait: 400 * time.Millisecond})
	s.Notify(context.Background(), notice.Notice{UserID: ada, Kind: notice.PhoneReplaced, Phone: "+1 •••-•••-1234", Device: "+1 •••-•••-7777"})
	for range 100 {
		if _, failed, _ := s.Counts(); failed > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv := startSMTP(t, port, "", "") // on loopback, a relay without TLS is allowed
	s.Wait()
	m := srv.waitMessages(t, 1)[0]
	if !strings.Contains(m.Body, "Ihr Telefon +1 •••-•••-1234 wurde durch +1 •••-•••-7777 ersetzt.") || !strings.Contains(m.Body, "Wer: Sie selbst.") {
		t.Errorf("body:\n%s", m.Body)
	}
	sent, failed, lost := s.Counts()
	if sent != 1 || failed == 0 || lost != 0 || !strings.Contains(logs.String(), "notice not sent; will retry") {
		t.Errorf("counts %d %d %d; logs %s", sent, failed, lost, logs.String())
	}
}

// TestNoticeGivenUp: a mail server that never answers costs a few attempts, an ERROR line and
// a count, nothing more; a person without an address is skipped with a WARN line.
func TestNoticeGivenUp(t *testing.T) {
	dir, ada, bob := directory(t)
	var logs bytes.Buffer
	s := notice.New(dir, notice.NewSMTP(smtpConfig(freePort(t))), notice.Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Attempts: 2, FirstWait: 10 * time.Millisecond})
	s.Notify(context.Background(), notice.Notice{UserID: ada, Kind: notice.MFATurnedOff, ByHelpdesk: true})
	s.Notify(context.Background(), notice.Notice{UserID: bob, Kind: notice.PhoneRemoved, Phone: "+1 •••-•••-1234"})
	s.Wait()
	if sent, failed, lost := s.Counts(); sent != 0 || failed != 2 || lost != 1 {
		t.Errorf("counts %d %d %d", sent, failed, lost)
	}
	for _, want := range []string{"notice given up after every attempt", "the person has no email address"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no %q in %s", want, logs.String())
		}
	}
}

// TestNoticeCheckGreetsTheServer is what `portal -check` does with SMTP_URL set.
func TestNoticeCheckGreetsTheServer(t *testing.T) {
	cert, key, trust := selfSigned(t, t.TempDir())
	srv := startSMTP(t, 0, cert, key)
	tr := notice.NewSMTP(smtpConfig(srv.Port))
	tr.TLS = trust
	if err := tr.Check(context.Background()); err != nil {
		t.Fatalf("check against a live server: %v", err)
	}
	if err := notice.NewSMTP(smtpConfig(freePort(t))).Check(context.Background()); err == nil {
		t.Fatal("check against no server passed")
	}
}

func TestTicket(t *testing.T) {
	for in, want := range map[string]string{"INC-4711 lost phone": "INC-4711", "per SR12345": "SR12345", "ticket #8812": "#8812",
		"phone lost on holiday": "", "": ""} {
		if got := notice.Ticket(in); got != want {
			t.Errorf("Ticket(%q) = %q, want %q", in, got, want)
		}
	}
}
