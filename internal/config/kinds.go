package config

import (
	"strings"
	"time"

	"github.com/smsmfa/portal/internal/ids"
	"github.com/smsmfa/portal/internal/limits"
)

// loadFunc reads the setting s into c, reporting each problem under s.Name.
type loadFunc func(l *loader, s Setting, c *Config)

// The kinds of setting below read many variables alike; each takes where its value goes.

// defaultValue is s.Default when it is a value, "" when it says in parentheses what happens
// without one.
func defaultValue(s Setting) string {
	if strings.HasPrefix(s.Default, "(") {
		return ""
	}
	return s.Default
}

// duration reads a positive duration such as 30s; unset, the Default.
func duration(field func(*Config) *time.Duration) loadFunc {
	return func(l *loader, s Setting, c *Config) {
		def, err := time.ParseDuration(s.Default)
		if err != nil {
			// The table is wrong, not the environment: every Load, in every test, finds it.
			panic("config: the default of " + s.Name + " is not a duration: " + s.Default)
		}
		*field(c) = l.duration(s.Name, def)
	}
}

// address reads host:port; unset, the Default (none when it is in parentheses).
func address(field func(*Config) *string) loadFunc {
	return func(l *loader, s Setting, c *Config) { *field(c) = l.addr(s.Name, defaultValue(s)) }
}

// required reads a value that must be set.
func required(field func(*Config) *string) loadFunc {
	return func(l *loader, s Setting, c *Config) { *field(c) = l.required(s.Name, l.str(s.Name)) }
}

// requiredSecret reads a secret that must be set, from the variable or the file NAME_FILE names.
func requiredSecret(field func(*Config) *string) loadFunc {
	return func(l *loader, s Setting, c *Config) { *field(c) = l.required(s.Name, l.secret(s.Name)) }
}

// uuid reads an ID, a UUID, required or not.
func uuid(isRequired bool, field func(*Config) *string) loadFunc {
	return func(l *loader, s Setting, c *Config) {
		v := l.str(s.Name)
		if isRequired {
			l.required(s.Name, v)
		}
		if v != "" && !ids.IsUUID(v) {
			l.bad(s.Name, "%q is not a UUID", v)
		}
		*field(c) = v
	}
}

// groupIDs reads comma-separated PingOne group IDs.
func groupIDs(field func(*Config) *[]string) loadFunc {
	return func(l *loader, s Setting, c *Config) { *field(c) = l.groupIDs(s.Name) }
}

// baseURL reads a PingOne base URL: https, or http on this machine (the emulator).
func baseURL(field func(*Config) *string) loadFunc {
	return func(l *loader, s Setting, c *Config) { *field(c) = l.httpURL(s.Name, pingOneBase) }
}

// linkURL reads a link the pages offer people: https, or http on this machine.
func linkURL(field func(*Config) *string) loadFunc {
	return func(l *loader, s Setting, c *Config) { *field(c) = l.httpURL(s.Name, pageLink) }
}

// word reads a name-like setting: unset is its default; a value holding any of forbidden is
// refused with problem (a format taking the value).
func word(field func(*Config) *string, forbidden, problem string) loadFunc {
	return func(l *loader, s Setting, c *Config) {
		v := l.str(s.Name)
		if v == "" {
			v = s.Default
		} else if strings.ContainsAny(v, forbidden) {
			l.bad(s.Name, problem, v)
		}
		*field(c) = v
	}
}

// boolean reads true/1/yes or false/0/no; unset is false.
func boolean(field func(*Config) *bool) loadFunc {
	return func(l *loader, s Setting, c *Config) {
		switch strings.ToLower(l.str(s.Name)) {
		case "", "false", "0", "no":
		case "true", "1", "yes":
			*field(c) = true
		default:
			l.bad(s.Name, "%q is not true or false", l.str(s.Name))
		}
	}
}

// limit reads an abuse limit such as 5/1h over its rule; unset keeps limits.DefaultRules.
func limit(rule func(*limits.Rules) *limits.Rule) loadFunc {
	return func(l *loader, s Setting, c *Config) {
		v := l.str(s.Name)
		if v == "" {
			return
		}
		r := rule(&c.Limits)
		parsed, err := limits.ParseRule(r.Name, v)
		if err != nil {
			l.bad(s.Name, "%v", err)
			return
		}
		*r = parsed
	}
}
