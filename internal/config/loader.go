package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/messages"
)

type loader struct {
	getenv   func(string) string
	readFile func(string) ([]byte, error)
	problems []string
	// secrets are the secrets read so far: each is read, and its problems reported, once.
	secrets map[string]string
}

func (l *loader) bad(name, format string, args ...any) {
	l.problems = append(l.problems, name+": "+fmt.Sprintf(format, args...))
}

func (l *loader) str(name string) string { return strings.TrimSpace(l.getenv(name)) }

// secret reads NAME, or the file NAME_FILE names (a mounted secret); not both.
func (l *loader) secret(name string) string {
	if v, ok := l.secrets[name]; ok {
		return v
	}
	v := l.readSecret(name)
	l.secrets[name] = v
	return v
}

func (l *loader) readSecret(name string) string {
	v, file := l.getenv(name), strings.TrimSpace(l.getenv(name+"_FILE"))
	if file == "" {
		return strings.TrimSpace(v)
	}
	if v != "" {
		l.bad(name, "set either %s or %s_FILE, not both", name, name)
		return ""
	}
	data, err := l.readFile(file)
	if err != nil {
		l.bad(name+"_FILE", "cannot read %s: %v", file, errors.Unwrap(err))
		return ""
	}
	return strings.TrimSpace(string(data))
}

// groupIDs reads the comma-separated PingOne group IDs in name, reporting each that is not a UUID.
func (l *loader) groupIDs(name string) []string {
	gs := l.list(name)
	for _, g := range gs {
		if !ids.IsUUID(g) {
			l.bad(name, "%q is not a group ID (a UUID)", g)
		}
	}
	return gs
}

func (l *loader) required(name, v string) string {
	if v == "" && !l.reported(name) {
		l.bad(name, "is required")
	}
	return v
}

// reported says whether a problem of name (or name_FILE) is listed already: "set either X or
// X_FILE, not both" or an unreadable file needs no "X is required" after it.
func (l *loader) reported(name string) bool {
	for _, p := range l.problems {
		if strings.HasPrefix(p, name+": ") || strings.HasPrefix(p, name+"_FILE: ") {
			return true
		}
	}
	return false
}

// addr reads a host:port variable (such as :8080 or 127.0.0.1:9090): def when unset, "" when
// it is not one (then compared with no other).
func (l *loader) addr(name, def string) string {
	v := l.str(name)
	if v == "" {
		return def
	}
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		l.bad(name, "%q is not host:port (such as :8080 or 127.0.0.1:9090)", v)
		return ""
	}
	return v
}

// sameListener reports whether two host:port addresses would take the same port: the same
// port with the same host, or with either on every interface (an empty host, 0.0.0.0 or ::).
func sameListener(a, b string) bool {
	ha, pa, err1 := net.SplitHostPort(a)
	hb, pb, err2 := net.SplitHostPort(b)
	if err1 != nil || err2 != nil || pa != pb || pa == "0" {
		return false
	}
	every := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || every(ha) || every(hb)
}

func (l *loader) duration(name string, def time.Duration) time.Duration {
	v := l.str(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		l.bad(name, "%q is not a positive duration such as 30s, 15m or 8h", v)
		return def
	}
	return d
}

func (l *loader) list(name string) []string {
	var out []string
	for _, s := range strings.Split(l.str(name), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// urlKind is what an http(s) setting is for: the words of its two refusals, and whether the
// value is a base that paths are appended to (its trailing slashes cut) or a link kept as is.
type urlKind struct {
	notURL, notHTTPS string
	base             bool
}

var (
	// pingOneBase is a PingOne base URL: worker tokens and people's sign-ins travel to this
	// address, never in clear text (plain http only for the emulator on this machine).
	pingOneBase = urlKind{notURL: "%q is not an http(s) URL", notHTTPS: "%q must be https (plain http only on this machine, for the emulator)", base: true}
	// pageLink is a link the pages offer people: https, or http on this machine (a trial).
	pageLink = urlKind{notURL: "%q is not an https URL", notHTTPS: "%q must be https (plain http only on localhost)"}
)

// httpURL reads an absolute http(s) URL of the kind k: https, or plain http only on this
// machine; "" when unset or refused.
func (l *loader) httpURL(name string, k urlKind) string {
	v := l.str(name)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		l.bad(name, k.notURL, v)
		return ""
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		l.bad(name, k.notHTTPS, v)
		return ""
	case k.base:
		return strings.TrimRight(v, "/")
	}
	return u.String()
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// languageList names the portal's languages for a configuration error.
func languageList() string {
	var tags []string
	for _, l := range messages.Languages() {
		tags = append(tags, l.Tag)
	}
	return strings.Join(tags, ", ")
}
