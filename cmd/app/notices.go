package app

import (
	"github.com/smsmfa/portal/internal/config"
	"github.com/smsmfa/portal/internal/notice"
	"github.com/smsmfa/portal/pingone"
)

// newNotices is the sender of notices to people: by SMTP when SMTP_URL is set, into the demo's
// email outbox in demo mode without it, and none otherwise (notices off; -check says so).
func newNotices(cfg *config.Config, o Options, client *pingone.Client) *notice.Sender {
	var tr notice.Transport
	switch demoMail, isDemo := o.Demo.(notice.Transport); {
	case cfg.Notices.On():
		tr = notice.NewSMTP(cfg.Notices)
	case isDemo:
		tr = demoMail
	default:
		return nil
	}
	return notice.New(client, tr, notice.Options{Contact: cfg.Notices.Contact, Logger: o.Logger, DefaultLanguage: cfg.DefaultLanguage})
}
