package form

import (
	"net/http"

	"github.com/smsmfa/portal/internal/helpdesk"
)

// Search is the help desk's search form (a GET: the term is in the query string).
type Search struct {
	// Query is the term as sent; helpdesk.Directory.Search cleans it (helpdesk.CleanQuery).
	Query string
}

// NewSearch reads the search form of r.
func NewSearch(r *http.Request) Search {
	return Search{Query: r.URL.Query().Get("q")}
}

// Shown is the term as the form shows it again: cleaned and cut to helpdesk.MaxQuery
// characters (helpdesk.ShownQuery).
func (f Search) Shown() string { return helpdesk.ShownQuery(f.Query) }

// Empty reports whether nothing was searched for: no term, or only white space.
func (f Search) Empty() bool { return helpdesk.CleanQuery(f.Query) == "" }

// Problem is helpdesk.ErrQueryTooLong for a term over helpdesk.MaxQuery characters once
// cleaned, or nil.
func (f Search) Problem() error {
	if len([]rune(helpdesk.CleanQuery(f.Query))) > helpdesk.MaxQuery {
		return helpdesk.ErrQueryTooLong
	}
	return nil
}
