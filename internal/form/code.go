package form

import (
	"net/http"
	"strings"

	"github.com/smsmfa/portal/internal/mfa"
)

// MaxCode bounds a typed code, in bytes: PingOne's codes are 6 to 10 digits, and the spaces
// and hyphens people group them with do not come to more than this.
const MaxCode = 64

// Code is a form with a typed code: the code page of a phone (the person's, the help desk's
// and a replacement's new phone), and the mailbox code of the first-phone proof.
type Code struct {
	// Code is the code as typed, trimmed; mfa.CleanCode is the one rule that reads it.
	Code string
}

// NewCode reads the code of r.
func NewCode(r *http.Request) Code {
	return Code{Code: strings.TrimSpace(r.FormValue("code"))}
}

// Problem is mfa.ErrBadCode for a code that mfa.CleanCode refuses (or one over MaxCode
// bytes), or nil.
func (f Code) Problem() error {
	if len(f.Code) > MaxCode {
		return mfa.ErrBadCode
	}
	if _, ok := mfa.CleanCode(f.Code); !ok {
		return mfa.ErrBadCode
	}
	return nil
}
