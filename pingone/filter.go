package pingone

import (
	"fmt"
	"strings"
)

// Filter is a SCIM filter expression for PingOne's user search. It is built only through the
// functions below, which quote and escape every value, so user input can never change the
// expression's structure.
type Filter struct{ expr string }

// String returns the filter as PingOne reads it.
func (f Filter) String() string { return f.expr }

// IsZero reports whether f is empty.
func (f Filter) IsZero() bool { return f.expr == "" }

// filterAttributes are the user attributes the portal may filter on.
var filterAttributes = map[string]bool{
	"username": true, "email": true, "name.given": true, "name.family": true, "name.formatted": true, "id": true,
}

// QuoteFilterValue returns v as a SCIM string literal: double-quoted, with backslashes and
// double quotes escaped and control characters dropped.
func QuoteFilterValue(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			// Control characters have no place in a name or address; dropping them keeps the
			// literal on one line.
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func compare(op, attr, value string) Filter {
	if !filterAttributes[attr] {
		panic(fmt.Sprintf("pingone: filter on unsupported attribute %q", attr))
	}
	return Filter{attr + " " + op + " " + QuoteFilterValue(value)}
}

// Eq matches users whose attribute equals value. attr must be one of username, email,
// name.given, name.family, name.formatted or id; any other is a programming error and panics.
func Eq(attr, value string) Filter { return compare("eq", attr, value) }

// Sw matches users whose attribute starts with value.
func Sw(attr, value string) Filter { return compare("sw", attr, value) }

func join(op string, fs []Filter) Filter {
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		if !f.IsZero() {
			parts = append(parts, "("+f.expr+")")
		}
	}
	switch len(parts) {
	case 0:
		return Filter{}
	case 1:
		return Filter{strings.TrimSuffix(strings.TrimPrefix(parts[0], "("), ")")}
	}
	return Filter{strings.Join(parts, " "+op+" ")}
}

// And matches users that match every filter.
func And(fs ...Filter) Filter { return join("and", fs) }

// Or matches users that match any filter.
func Or(fs ...Filter) Filter { return join("or", fs) }
