package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

type user struct {
	ID         string
	Username   string
	Email      string
	Given      string
	Family     string
	Password   string
	Enabled    bool
	MFAEnabled bool
	Population string
	Groups     []string
	Country    string
	CreatedAt  time.Time
	// PreferredLanguage and Locale are the profile's languages (BCP 47 tags), "" when unset.
	PreferredLanguage, Locale string
	// BypassUntil is the end of the user's MFA bypass (bypassMFA); zero or past: none.
	BypassUntil time.Time
	// LastSignOn is when the user last signed in through PingOne (zero: never), PingOne's
	// read-only lastSignOn.at.
	LastSignOn time.Time
}

// Group is a PingOne group.
type Group struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SeedUser describes a user to create.
type SeedUser struct {
	Username, Email, Given, Family, Password string
	// Country is the address's countryCode in the directory ("" for none).
	Country string
	// Disabled users cannot sign in and read as enabled:false.
	Disabled   bool
	MFAEnabled bool
	GroupIDs   []string
	// PreferredLanguage and Locale are the profile's languages (BCP 47 tags such as "de").
	PreferredLanguage, Locale string
}

// AddUser creates a user and returns its ID.
func (s *Server) AddUser(u SeedUser) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	nu := &user{ID: uuid.NewString(), Username: u.Username, Email: u.Email, Given: u.Given, Family: u.Family,
		Password: u.Password, Enabled: !u.Disabled, MFAEnabled: u.MFAEnabled, Population: s.populationID,
		Groups: slices.Clone(u.GroupIDs), Country: u.Country, CreatedAt: s.now(), PreferredLanguage: u.PreferredLanguage, Locale: u.Locale}
	s.users[nu.ID] = nu
	return nu.ID
}

// SetUserEnabled enables or disables a user.
func (s *Server) SetUserEnabled(userID string, enabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userID]; ok {
		u.Enabled = enabled
	}
}

// DeleteUser removes a user and their devices.
func (s *Server) DeleteUser(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users, userID)
	delete(s.devices, userID)
}

// SetGroups replaces a user's group memberships.
func (s *Server) SetGroups(userID string, groupIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userID]; ok {
		u.Groups = slices.Clone(groupIDs)
	}
}

// MFAEnabled reports a user's mfaEnabled.
func (s *Server) MFAEnabled(userID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	return ok && u.MFAEnabled
}

// AddGroup creates a group and returns its ID.
func (s *Server) AddGroup(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &Group{ID: uuid.NewString(), Name: name}
	s.groups[g.ID] = g
	return g.ID
}

func (s *Server) userJSON(u *user, withGroups bool) map[string]any {
	m := map[string]any{
		"_links":      map[string]any{"self": map[string]string{"href": s.apiURL("/users/" + u.ID)}},
		"id":          u.ID,
		"environment": map[string]string{"id": s.envID},
		"population":  map[string]string{"id": u.Population},
		"username":    u.Username,
		"enabled":     u.Enabled,
		"mfaEnabled":  u.MFAEnabled,
		"createdAt":   u.CreatedAt.UTC().Format(timeFormat),
	}
	if u.Email != "" {
		m["email"] = u.Email
	}
	if u.Country != "" {
		m["address"] = map[string]string{"countryCode": u.Country}
	}
	if !u.LastSignOn.IsZero() {
		m["lastSignOn"] = map[string]string{"at": u.LastSignOn.UTC().Format(timeFormat)}
	}
	if u.PreferredLanguage != "" {
		m["preferredLanguage"] = u.PreferredLanguage
	}
	if u.Locale != "" {
		m["locale"] = u.Locale
	}
	// PingOne leaves out empty name parts (each has a minimum length of 1).
	name := map[string]string{}
	for k, v := range map[string]string{"given": u.Given, "family": u.Family, "formatted": strings.TrimSpace(u.Given + " " + u.Family)} {
		if v != "" {
			name[k] = v
		}
	}
	if len(name) > 0 {
		m["name"] = name
	}
	if withGroups {
		// PingOne lists memberOfGroupIDs as plain IDs.
		m["memberOfGroupIDs"] = append([]string{}, u.Groups...)
	}
	return m
}

func (s *Server) lookupUser(w http.ResponseWriter, r *http.Request) *user {
	u := s.users[r.PathValue("uid")]
	if u == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested user was not found.")
	}
	return u
}

// withUser runs f with the request's user, holding s.mu; when there is no such user it
// answers 404 instead.
func (s *Server) withUser(w http.ResponseWriter, r *http.Request, f func(u *user)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.lookupUser(w, r); u != nil {
		f(u)
	}
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *user) {
		withGroups := slices.Contains(strings.Split(r.URL.Query().Get("include"), ","), "memberOfGroupIDs")
		writeJSON(w, http.StatusOK, s.userJSON(u, withGroups))
	})
}

func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f filterExpr
	if fs := q.Get("filter"); fs != "" {
		var err error
		if f, err = parseFilter(fs); err != nil {
			invalid(w, "INVALID_FILTER", "filter", err.Error())
			return
		}
	}
	limit := 100
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 {
		limit = min(l, 1000)
	}
	offset, _ := strconv.Atoi(q.Get("cursor"))
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*user
	for _, u := range s.users {
		if f == nil || f.match(u) {
			matched = append(matched, u)
		}
	}
	slices.SortFunc(matched, func(a, b *user) int { return strings.Compare(a.Username, b.Username) })
	offset = max(0, min(offset, len(matched)))
	page := matched[offset:min(offset+limit, len(matched))]
	users := make([]map[string]any, 0, len(page))
	for _, u := range page {
		users = append(users, s.userJSON(u, false))
	}
	links := map[string]any{"self": map[string]string{"href": s.apiURL("/users?" + q.Encode())}}
	if offset+limit < len(matched) {
		nq := r.URL.Query()
		nq.Set("cursor", strconv.Itoa(offset+limit))
		links["next"] = map[string]string{"href": s.apiURL("/users?" + nq.Encode())}
	}
	writeJSON(w, http.StatusOK, map[string]any{"_links": links, "_embedded": map[string]any{"users": users},
		"count": len(matched), "size": len(page)})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username   string `json:"username"`
		Email      string `json:"email"`
		Name       struct{ Given, Family string }
		Population *ref  `json:"population"`
		Enabled    *bool `json:"enabled"`
	}
	if !decodeBody(w, r, "application/json", &in) || missing(w, "username", strings.TrimSpace(in.Username) == "") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if strings.EqualFold(u.Username, in.Username) {
			invalid(w, "UNIQUENESS_VIOLATION", "username", "username must be unique")
			return
		}
	}
	pop := s.populationID
	if in.Population != nil && in.Population.ID != "" {
		// UNVERIFIED: the emulator has one population; another ID is accepted as given.
		pop = in.Population.ID
	}
	u := &user{ID: uuid.NewString(), Username: in.Username, Email: in.Email, Given: in.Name.Given, Family: in.Name.Family,
		Enabled: in.Enabled == nil || *in.Enabled, Population: pop, CreatedAt: s.now()}
	s.users[u.ID] = u
	writeJSON(w, http.StatusCreated, s.userJSON(u, false))
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Value       string `json:"value"`
		ForceChange bool   `json:"forceChange"`
	}
	if !decodeBody(w, r, "application/vnd.pingidentity.password.set+json", &in) || missing(w, "value", in.Value == "") {
		return
	}
	s.withUser(w, r, func(u *user) {
		u.Password = in.Value
		writeJSON(w, http.StatusOK, map[string]any{"status": "OK", "lastChangedAt": s.now().UTC().Format("2006-01-02T15:04:05.000Z")})
	})
}

// ref is how PingOne names another resource in a request: {"id": "..."}.
type ref struct {
	ID string `json:"id"`
}

func (s *Server) addToGroup(w http.ResponseWriter, r *http.Request) {
	var in ref
	if !decodeBody(w, r, "application/json", &in) {
		return
	}
	s.withUser(w, r, func(u *user) {
		if s.groups[in.ID] == nil {
			invalid(w, "INVALID_VALUE", "id", "group not found")
			return
		}
		if !slices.Contains(u.Groups, in.ID) {
			u.Groups = append(u.Groups, in.ID)
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": in.ID})
	})
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if !decodeBody(w, r, "application/json", &in) || missing(w, "name", in.Name == "") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &Group{ID: uuid.NewString(), Name: in.Name}
	s.groups[g.ID] = g
	writeJSON(w, http.StatusCreated, g)
}

func (s *Server) setMFAEnabled(w http.ResponseWriter, r *http.Request) {
	var in struct {
		MFAEnabled *bool `json:"mfaEnabled"`
	}
	if !decodeBody(w, r, "application/json", &in) || missing(w, "mfaEnabled", in.MFAEnabled == nil) {
		return
	}
	s.withUser(w, r, func(u *user) {
		u.MFAEnabled = *in.MFAEnabled
		writeJSON(w, http.StatusOK, map[string]any{"mfaEnabled": u.MFAEnabled})
	})
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	g := s.groups[r.PathValue("gid")]
	s.mu.Unlock()
	if g == nil {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "The requested group was not found.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"_links":      map[string]any{"self": map[string]string{"href": s.apiURL("/groups/" + g.ID)}},
		"id":          g.ID,
		"name":        g.Name,
		"environment": map[string]string{"id": s.envID},
	})
}
