package form

import (
	"net/http"
	"strings"

	"github.com/smsmfa/portal/internal/mfa"
)

// Rename is the form that names one of the person's phones.
type Rename struct {
	// Nickname is the name as typed, trimmed; internal/mfa (Service.Rename) folds its white
	// space and bounds it to mfa.MaxNickname characters.
	Nickname string
}

// NewRename reads the rename form of r.
func NewRename(r *http.Request) Rename {
	return Rename{Nickname: strings.TrimSpace(r.FormValue("nickname"))}
}

// Shown is the name as the form shows it again after a refusal, cut to four bytes a
// character of mfa.MaxNickname (a longer one is refused, and the page need not echo it all).
func (f Rename) Shown() string {
	if len(f.Nickname) > 4*mfa.MaxNickname {
		return f.Nickname[:4*mfa.MaxNickname]
	}
	return f.Nickname
}

// Problem is mfa.ErrNickname for an empty name, or nil.
func (f Rename) Problem() error {
	if f.Nickname == "" {
		return mfa.ErrNickname
	}
	return nil
}
