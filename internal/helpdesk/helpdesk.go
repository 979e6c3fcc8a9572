// Package helpdesk is the help desk's part of the rules: who is staff (Checker: live group
// membership, short cache); how staff find users (Directory: one query over username, email
// and name, turned into a SCIM filter only through the client's quoting builder); whom staff may
// not change (Protector: themselves, other staff, protected groups); how a caller is verified
// before any change (Verifier: a code PingOne sends to the user's phone or directory email, or
// a colleague's approval, kept in the shared store for one agent and one user); and the signals
// shown beside it.
package helpdesk

import (
	"context"
	"errors"
	"strings"
	"sync"
	"unicode"

	"github.com/smsmfa/portal/pingone"
)

// MaxQuery bounds a search; no username, address or name needs more.
const MaxQuery = 100

// PageSize is how many users a results page shows.
const PageSize = 20

// ErrQueryTooLong is a query over MaxQuery characters.
var ErrQueryTooLong = errors.New("helpdesk: query too long")

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

// Page is a page of results.
type Page struct {
	Results []Result
	Total   int
	Next    string
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
// family name, and "Given Family" across both names.
func Filter(q string) pingone.Filter {
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

// Search finds users matching q; cursor is a previous Page's Next.
func (d *Directory) Search(ctx context.Context, q, cursor string) (*Page, error) {
	q = CleanQuery(q)
	if len([]rune(q)) > MaxQuery {
		return nil, ErrQueryTooLong
	}
	if q == "" {
		return &Page{}, nil
	}
	up, err := d.client.SearchUsers(ctx, Filter(q), PageSize, cursor)
	if err != nil {
		return nil, err
	}
	page := &Page{Total: up.Count, Next: up.Next, Results: make([]Result, len(up.Users))}
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

// CleanReason keeps a reason or ticket reference given with a change printable and short:
// folded like a search, at most 200 characters.
func CleanReason(s string) string {
	s = CleanQuery(s)
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200])
	}
	return s
}
