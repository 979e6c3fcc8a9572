package pingone

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// User is a PingOne user, as far as the portal needs one.
type User struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	Email      string `json:"email,omitempty"`
	Name       Name   `json:"name"`
	Enabled    *bool  `json:"enabled,omitempty"`
	MFAEnabled bool   `json:"mfaEnabled"`
	Population *Ref   `json:"population,omitempty"`
	Locale     string `json:"locale,omitempty"`
	// PreferredLanguage is the user's language for PingOne's pages and the portal's (a BCP 47
	// tag such as "de"); Locale is the fallback.
	PreferredLanguage string `json:"preferredLanguage,omitempty"`
	MemberOfGroupIDs  IDList `json:"memberOfGroupIDs,omitempty"`
	// Address is the user's postal address in the directory; the help desk compares its
	// country with a new phone number's.
	Address *Address `json:"address,omitempty"`
	// LastSignOn is PingOne's record of the user's last sign-in (read-only; absent when they
	// never signed in): the help desk shows it in the user's summary.
	LastSignOn *LastSignOn `json:"lastSignOn,omitempty"`
}

// LastSignOn is when a user last signed in through PingOne. At is kept as PingOne wrote it:
// a read-only field in an unexpected format must never fail the read of the user.
type LastSignOn struct {
	At string `json:"at"`
}

// LastSignIn returns when the user last signed in, or the zero time when PingOne did not say
// or wrote it in a way that cannot be read.
func (u *User) LastSignIn() time.Time {
	if u == nil || u.LastSignOn == nil {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00"} {
		if at, err := time.Parse(layout, u.LastSignOn.At); err == nil {
			return at
		}
	}
	return time.Time{}
}

// Address is the part of a user's address the portal reads.
type Address struct {
	// CountryCode is the ISO 3166 country code ("US").
	CountryCode string `json:"countryCode,omitempty"`
}

// Country returns the user's country code in the directory, upper case, or "".
func (u *User) Country() string {
	if u == nil || u.Address == nil {
		return ""
	}
	return strings.ToUpper(strings.TrimSpace(u.Address.CountryCode))
}

// IDList is a list of IDs that PingOne may write as strings or as {"id": "..."} objects (the
// shape of memberOfGroupIDs is not documented); anything else is skipped, never an error.
type IDList []string

// UnmarshalJSON accepts ["id", ...] and [{"id": "id"}, ...].
func (l *IDList) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		*l = nil
		return nil
	}
	out := make(IDList, 0, len(raw))
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		var ref Ref
		if json.Unmarshal(r, &ref) == nil && ref.ID != "" {
			out = append(out, ref.ID)
		}
	}
	*l = out
	return nil
}

// Name is a user's name.
type Name struct {
	Given     string `json:"given,omitempty"`
	Family    string `json:"family,omitempty"`
	Formatted string `json:"formatted,omitempty"`
}

// IsEnabled reports whether the user may sign in; PingOne omits the field for enabled users in
// some answers, so absence counts as enabled.
func (u *User) IsEnabled() bool { return u.Enabled == nil || *u.Enabled }

// DisplayName returns the name to show a person: formatted, given and family, or username.
func (u *User) DisplayName() string {
	switch {
	case u.Name.Formatted != "":
		return u.Name.Formatted
	case u.Name.Given != "" || u.Name.Family != "":
		if u.Name.Given != "" && u.Name.Family != "" {
			return u.Name.Given + " " + u.Name.Family
		}
		return u.Name.Given + u.Name.Family
	}
	return u.Username
}

// InGroup reports whether the user is a member of any of the groups.
func (u *User) InGroup(groupIDs ...string) bool {
	for _, g := range u.MemberOfGroupIDs {
		for _, want := range groupIDs {
			if g == want {
				return true
			}
		}
	}
	return false
}

func userPath(userID string) string { return "/users/" + url.PathEscape(userID) }

// GetUser reads a user, with memberOfGroupIDs when withGroups is set.
func (c *Client) GetUser(ctx context.Context, userID string, withGroups bool) (*User, error) {
	var q url.Values
	if withGroups {
		q = url.Values{"include": {"memberOfGroupIDs"}}
	}
	return doInto[User](ctx, c, request{method: http.MethodGet, path: userPath(userID), query: q, idempotent: true})
}

// UserPage is one page of a user search.
type UserPage struct {
	Users []User
	// Count is the number of users that match, when PingOne says.
	Count int
	// Next is the cursor for the next page, or "".
	Next string
}

// SearchUsers finds users that match f, at most limit (1 to 1000) a page. cursor is a UserPage's
// Next, or "" for the first page.
func (c *Client) SearchUsers(ctx context.Context, f Filter, limit int, cursor string) (*UserPage, error) {
	q := pageQuery(limit, cursor)
	if !f.IsZero() {
		q.Set("filter", f.String())
	}
	var out struct {
		Links    map[string]Link `json:"_links"`
		Embedded struct {
			Users []User `json:"users"`
		} `json:"_embedded"`
		Count int `json:"count"`
	}
	if err := c.do(ctx, request{method: http.MethodGet, path: "/users", query: q, idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &UserPage{Users: out.Embedded.Users, Count: out.Count, Next: nextCursor(out.Links)}, nil
}

// pageQuery is the query of one page of a list PingOne pages by cursor: limit a page (at most
// 1000, PingOne's ceiling; 0 leaves PingOne's default) and the cursor of a page's Next ("" for
// the first page).
func pageQuery(limit int, cursor string) url.Values {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(min(limit, 1000)))
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	return q
}

// nextCursor is the cursor of the page after the one whose links these are, or "" on the last.
func nextCursor(links map[string]Link) string {
	next, ok := links["next"]
	if !ok || next.Href == "" {
		return ""
	}
	u, err := url.Parse(next.Href)
	if err != nil {
		return ""
	}
	return u.Query().Get("cursor")
}

// SetMFAEnabled turns MFA on or off for the user.
func (c *Client) SetMFAEnabled(ctx context.Context, userID string, enabled bool) error {
	return c.do(ctx, request{method: http.MethodPut, path: userPath(userID) + "/mfaEnabled",
		body: map[string]bool{"mfaEnabled": enabled}, idempotent: true}, nil)
}
