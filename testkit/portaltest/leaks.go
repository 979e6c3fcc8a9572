package portaltest

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// started are the environments this test binary ran, for Leaks.
var (
	startedMu sync.Mutex
	started   []*Env
)

func register(e *Env) {
	startedMu.Lock()
	defer startedMu.Unlock()
	started = append(started, e)
}

// Patterns that must never appear in a log line, whoever the person and whatever the secret.
var leakPatterns = []struct {
	what string
	re   *regexp.Regexp
}{
	// A query string: a user search's filter or term, a code or state in a URL.
	{"a query string", regexp.MustCompile(`[?&](q|filter|cursor|code|state|otp|login_hint)=`)},
	// A SCIM filter: the name or email staff searched for.
	{"a user-search filter", regexp.MustCompile(`(?i)\b(username|email|name\.(given|family|formatted))\s+(eq|sw|co)\s+\\?"`)},
	// A JWT: an access or ID token.
	{"a token", regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}`)},
	{"a bearer token", regexp.MustCompile(`(?i)bearer [A-Za-z0-9._~+/-]{16,}`)},
}

// Leaks reads the log output of every portal this test binary started and returns what must
// never have been logged: the codes PingOne texted or emailed, full phone numbers, the
// environment's secrets, tokens, query strings and user-search filters. A test package calls
// it from TestMain after its tests ran, so the whole suite's logs are scanned.
func Leaks() []string {
	startedMu.Lock()
	envs := append([]*Env(nil), started...)
	startedMu.Unlock()
	var found []string
	for _, e := range envs {
		logs := e.Logs.String()
		if logs == "" {
			continue
		}
		lines := strings.Split(logs, "\n")
		check := func(what, needle string, re *regexp.Regexp) {
			for _, l := range lines {
				if (needle != "" && strings.Contains(l, needle)) || (re != nil && re.MatchString(l)) {
					found = append(found, fmt.Sprintf("%s in: %.300s", what, l))
					return
				}
			}
		}
		for _, p := range leakPatterns {
			check(p.what, "", p.re)
		}
		for _, s := range []string{e.Demo.WorkerSecret, e.Demo.WebSecret, e.Demo.SessionKey, e.Demo.EmployeePass, e.Demo.HelpdeskPass} {
			check("a secret or password", s, nil)
		}
		numbers := map[string]bool{}
		for _, m := range e.Emu.Outbox() {
			if m.Code != "" {
				// A JSON number (after ':') is a count or a duration, not a code.
				check("a texted code", "", regexp.MustCompile(`(^|[^0-9.:])`+m.Code+`([^0-9]|$)`))
			}
			numbers[m.To] = true
		}
		for _, m := range e.Emu.Emails() {
			if m.Code != "" {
				check("an emailed code", "", regexp.MustCompile(`(^|[^0-9.:])`+m.Code+`([^0-9]|$)`))
			}
		}
		for n := range numbers {
			digits := strings.TrimPrefix(n, "+")
			check("a full phone number", "", regexp.MustCompile(`(^|[^0-9])\+?`+digits+`([^0-9]|$)`))
			if len(digits) > 8 {
				// The national number without the country code (+1 512… → 512…).
				national := digits[len(digits)-10:]
				check("a full phone number", "", regexp.MustCompile(`(^|[^0-9])`+national+`([^0-9]|$)`))
			}
		}
	}
	return found
}
