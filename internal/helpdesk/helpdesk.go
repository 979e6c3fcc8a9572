// Package helpdesk is the help desk's part of the rules: who is staff (Checker: live group
// membership, short cache); how staff find users (Directory: one query over username, email
// and name, turned into a SCIM filter only through the client's quoting builder); whom staff may
// not change (Protector: themselves, other staff, protected groups); who the target of a page
// is (Target: built from the user and their devices: the phones that may take a caller's code,
// the signals, the directory country); and the caller check before any change (Callers: a code
// PingOne sends to the user's phone or directory email, or a colleague's approval, kept in the
// shared store for one agent and one user).
package helpdesk

import (
	"context"
	"errors"
	"strings"
	"sync"
	"unicode"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/pingone"
)

// MaxQuery bounds a search; no username, address or name needs more.
const MaxQuery = 100

// PageSize is the most users a search shows (issue #21): beyond it, the agent refines the
// search; there is no next page, so a few broad searches cannot list the directory.
const PageSize = 20

// MinQuery is the shortest query that finds users by the start of a name, username or
// address; a shorter one finds only an exact username or email address.
const MinQuery = 3

// Search's refusals.
var (
	// ErrQueryTooLong is a query over MaxQuery characters.
	ErrQueryTooLong = errors.New("helpdesk: query too long")
	// ErrQueryTooShort is a query under MinQuery characters that is no exact username or
	// email address.
	ErrQueryTooShort = errors.New("helpdesk: query too short")
)

// Client is what the directory needs from PingOne.
type Client interface {
	SearchUsers(ctx context.Context, f pingone.Filter, limit int, cursor string) (*pingone.UserPage, error)
	ListDevices(ctx context.Context, userID string) ([]pingone.Device, error)
}

// Directory searches users.
type Directory struct{ client Client }

// New returns a Directory.
func New(c Client) *Directory { return &Directory{client: c} }

// Result is one user found.
type Result struct {
	ID, Name, Username, Email string
	MFAEnabled                bool
	// Devices is the number of MFA devices, or -1 when it could not be read.
	Devices int
}

// Page is what a search found: at most PageSize results; More is set when there were more
// (the agent must refine the search).
type Page struct {
	Results []Result
	Total   int
	More    bool
}

// CleanQuery trims, folds white space and drops control characters.
func CleanQuery(q string) string {
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, q)
	return strings.Join(strings.Fields(q), " ")
}

// NeedsReason reports whether a help-desk change must carry a reason or ticket: when the
// operator requires one for every change (HELPDESK_REASON_REQUIRED), and always for turning a
// user's MFA off, which leaves the account with a password alone.
func NeedsReason(requiredForAll, turnsMFAOff bool) bool { return requiredForAll || turnsMFAOff }

// ShownQuery is the query as the search form shows it again: cleaned, and cut to MaxQuery
// characters (a longer one is refused, and the form need not echo kilobytes of it).
func ShownQuery(q string) string {
	q = CleanQuery(q)
	if r := []rune(q); len(r) > MaxQuery {
		return string(r[:MaxQuery])
	}
	return q
}

// Filter builds the search: starts-with (which includes exact) on username, email, given and
// family name, "Given Family" across both names, and the user ID when q is one. A query under
// MinQuery characters finds only an exact username or email address.
func Filter(q string) pingone.Filter {
	if len([]rune(q)) < MinQuery {
		return pingone.Or(pingone.Eq("username", q), pingone.Eq("email", q))
	}
	if ids.IsUUID(q) {
		return pingone.Eq("id", q)
	}
	fs := []pingone.Filter{
		pingone.Eq("username", q), pingone.Sw("username", q),
		pingone.Eq("email", q), pingone.Sw("email", q),
		pingone.Sw("name.given", q), pingone.Sw("name.family", q),
	}
	if parts := strings.Fields(q); len(parts) >= 2 {
		fs = append(fs, pingone.And(pingone.Sw("name.given", parts[0]), pingone.Sw("name.family", strings.Join(parts[1:], " "))))
	}
	return pingone.Or(fs...)
}

// Search finds users matching q (Filter): at most PageSize, with More set when there were more.
// A query under MinQuery characters that matches no username or email address exactly is
// ErrQueryTooShort.
func (d *Directory) Search(ctx context.Context, q string) (*Page, error) {
	q = CleanQuery(q)
	if len([]rune(q)) > MaxQuery {
		return nil, ErrQueryTooLong
	}
	if q == "" {
		return &Page{}, nil
	}
	// One more than is shown: whether there are more is known without trusting the count.
	up, err := d.client.SearchUsers(ctx, Filter(q), PageSize+1, "")
	if err != nil {
		return nil, err
	}
	if len(up.Users) == 0 && len([]rune(q)) < MinQuery {
		return nil, ErrQueryTooShort
	}
	page := &Page{Total: max(up.Count, len(up.Users)), More: up.Count > PageSize || len(up.Users) > PageSize}
	up.Users = up.Users[:min(len(up.Users), PageSize)]
	page.Results = make([]Result, len(up.Users))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, u := range up.Users {
		page.Results[i] = Result{ID: u.ID, Name: u.DisplayName(), Username: u.Username, Email: u.Email, MFAEnabled: u.MFAEnabled, Devices: -1}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if devs, err := d.client.ListDevices(ctx, u.ID); err == nil {
				page.Results[i].Devices = len(devs)
			}
		}()
	}
	wg.Wait()
	return page, nil
}

// CleanReason keeps a reason or ticket reference given with a change printable, short and
// free of numbers: folded like a search, phone numbers and codes masked (MaskReason), at most
// MaxReason characters. It is masked before it is cut, so that a cut never leaves the end of a
// long number readable.
func CleanReason(s string) string {
	s = MaskReason(CleanQuery(s))
	if r := []rune(s); len(r) > MaxReason {
		s = string(r[:MaxReason])
	}
	return s
}
