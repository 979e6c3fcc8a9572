package pingone

import (
	"regexp"
	"strings"
	"testing"
)

// placeholderRE is a template's placeholder of an ID, {env} aside.
var placeholderRE = regexp.MustCompile(`\{(user|device|group|deviceAuthentication)\}`)

// TestRouteTemplates: spans name a call by its path with every ID replaced, the environment
// included, and never a query.
func TestRouteTemplates(t *testing.T) {
	env, user, dev := "6f1c0a3e-1b2c-4d5e-8f90-123456789abc", "0b8e6c1d-2e3f-4a5b-9c8d-7e6f5a4b3c2d", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	for _, tc := range []struct {
		r    request
		want string
	}{
		{request{path: "/users/" + user + "/devices"}, "/environments/{env}/users/{user}/devices"},
		{request{path: "/users/" + user + "/devices/" + dev + "/nickname"}, "/environments/{env}/users/{user}/devices/{device}/nickname"},
		{request{path: "/users", query: map[string][]string{"filter": {`email eq "erin@example.com"`}}}, "/environments/{env}/users"},
		{request{path: "/groups/" + dev}, "/environments/{env}/groups/{group}"},
		{request{path: "/deviceAuthentications/" + dev, auth: true}, "/{env}/deviceAuthentications/{deviceAuthentication}"},
	} {
		if got := tc.r.template(); got != tc.want {
			t.Errorf("template(%s) = %q, want %q", tc.r.path, got, tc.want)
		}
		// Logs and metrics name the same route with {id} for every ID (routeOf).
		want := placeholderRE.ReplaceAllString(strings.TrimPrefix(strings.TrimPrefix(tc.want, "/environments"), "/{env}"), "{id}")
		if got := routeOf(tc.r.path); got != want {
			t.Errorf("routeOf(%s) = %q, want %q", tc.r.path, got, want)
		}
	}
	for path, want := range map[string]string{
		"/" + env + "/as/token":                            "/{env}/as/token",
		"/" + env + "/as/.well-known/openid-configuration": "/{env}/as/.well-known/openid-configuration",
		"/" + env + "/as/jwks":                             "/{env}/as/jwks",
		"/" + env + "/as/keys/k1d-2026":                    "/{env}/as/keys/{id}",
	} {
		if got := authTemplate(path); got != want {
			t.Errorf("authTemplate(%s) = %q, want %q", path, got, want)
		}
	}
}
