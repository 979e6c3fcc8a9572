package preflight

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/smsmfa/portal/pingone"
)

// unknownEnvironment reports whether the token endpoint answered that the environment in its
// path does not exist (404), rather than refusing the client (400 or 401 invalid_client).
func unknownEnvironment(err error) bool {
	var te *pingone.TokenError
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

const roleFix = "give the worker app the Identity Data Admin role for this environment (Applications → the worker app → Roles)"

func (c *Checker) users(ctx context.Context, add func(Result)) string {
	r := Result{Name: "reading users"}
	page, err := c.PingOne.SearchUsers(ctx, pingone.Filter{}, 1, "")
	if err != nil {
		r.Detail, r.Fix = err.Error(), fixFor(err)
		add(r)
		return ""
	}
	r.OK, r.Detail = true, "the worker app can read users"
	add(r)
	if len(page.Users) == 0 {
		return ""
	}
	return page.Users[0].ID
}

func (c *Checker) devices(ctx context.Context, userID string, add func(Result)) {
	r := Result{Name: "reading devices"}
	if userID == "" {
		r.OK, r.Detail = true, "no user in the environment yet to read devices of"
		add(r)
		return
	}
	if _, err := c.PingOne.ListDevices(ctx, userID); err != nil {
		r.Detail, r.Fix = err.Error(), fixFor(err)
		add(r)
		return
	}
	r.OK, r.Detail = true, "the worker app can read MFA devices"
	add(r)
}

func (c *Checker) mfaSettings(ctx context.Context, add func(Result)) {
	r := Result{Name: "MFA settings"}
	s, err := c.PingOne.MFASettings(ctx)
	if err != nil {
		r.Detail, r.Fix = err.Error(), fixFor(err)
		if pingone.IsForbidden(err) {
			r.Fix = "give the worker app a role that reads MFA settings (Configuration Read-Only Admin, beside Identity Data Admin); " +
				"until then the portal assumes PingOne's default of 5 devices"
		}
		add(r)
		return
	}
	r.OK, r.Detail = true, fmt.Sprintf("at most %d MFA devices per person", s.MaxAllowedDevices)
	add(r)
}

func (c *Checker) groups(ctx context.Context, add func(Result)) {
	r := Result{Name: "help-desk groups"}
	// Both lists in one pass: a wrong protected group ID is as silent as a wrong staff one (it
	// protects no one), so it fails the check too.
	lists := []struct {
		name, fix string
		ids       []string
	}{
		{"HELPDESK_GROUP_IDS", "copy the help-desk group's ID (Directory → Groups) into HELPDESK_GROUP_IDS", c.Config.HelpdeskGroups},
		{"HELPDESK_PROTECTED_GROUP_IDS", "copy the IDs of the groups the help desk must not change (Directory → Groups) into HELPDESK_PROTECTED_GROUP_IDS", c.Config.HelpdeskProtectedGroups},
	}
	names := map[string][]string{}
	var missing, fixes []string
	for _, l := range lists {
		found := true
		for _, id := range l.ids {
			g, err := c.PingOne.Group(ctx, id)
			switch {
			case pingone.IsNotFound(err):
				missing = append(missing, id)
				found = false
			case err != nil:
				r.Detail, r.Fix = err.Error(), fixFor(err)
				add(r)
				return
			default:
				names[l.name] = append(names[l.name], fmt.Sprintf("%q", g.Name))
			}
		}
		if !found {
			fixes = append(fixes, l.fix)
		}
	}
	if len(missing) > 0 {
		r.Detail = "no group with ID " + strings.Join(missing, ", ") + " in this environment"
		r.Fix = strings.Join(fixes, "; ")
		add(r)
		return
	}
	r.OK = true
	if len(c.Config.HelpdeskGroups) == 0 {
		r.Detail = "HELPDESK_GROUP_IDS is empty: nobody can use the help desk"
	} else {
		r.Detail = "staff are the members of " + strings.Join(names["HELPDESK_GROUP_IDS"], ", ")
	}
	if p := names["HELPDESK_PROTECTED_GROUP_IDS"]; len(p) > 0 {
		r.Detail += "; the help desk cannot change the members of " + strings.Join(p, ", ")
	}
	add(r)
}

func fixFor(err error) string {
	switch {
	case pingone.IsForbidden(err):
		return roleFix
	case pingone.IsUnreachable(err), pingone.IsUnavailable(err):
		return "PingOne did not answer: check PINGONE_API_BASE (or PINGONE_REGION) and the network, then run the check again"
	}
	return "check PINGONE_API_BASE and PINGONE_ENVIRONMENT_ID"
}
