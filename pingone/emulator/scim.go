package emulator

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// filterExpr is a parsed SCIM filter over users.
type filterExpr interface{ match(*user) bool }

type cmpExpr struct{ attr, op, value string }
type boolExpr struct {
	op          string
	left, right filterExpr
}

func (c cmpExpr) match(u *user) bool {
	var v string
	switch c.attr {
	case "username":
		v = u.Username
	case "email":
		v = u.Email
	case "name.given":
		v = u.Given
	case "name.family":
		v = u.Family
	case "name.formatted":
		v = strings.TrimSpace(u.Given + " " + u.Family)
	case "id":
		v = u.ID
	}
	// SCIM compares strings case-insensitively unless the attribute says otherwise.
	v, want := strings.ToLower(v), strings.ToLower(c.value)
	switch c.op {
	case "eq":
		return v == want
	case "sw":
		return strings.HasPrefix(v, want)
	case "co":
		return strings.Contains(v, want)
	}
	return false
}

func (b boolExpr) match(u *user) bool {
	if b.op == "and" {
		return b.left.match(u) && b.right.match(u)
	}
	return b.left.match(u) || b.right.match(u)
}

var filterAttrs = map[string]bool{"username": true, "email": true, "name.given": true, "name.family": true, "name.formatted": true, "id": true}

type filterParser struct {
	s   string
	pos int
	// activities parses a filter over audit activities (activities.go) instead of users.
	activities bool
}

// parseFilter parses the subset of SCIM filters PingOne documents for users: attr eq|sw|co
// "string", joined with and/or (and binds tighter), grouped with parentheses.
func parseFilter(s string) (filterExpr, error) { return parseFilterOf(s, false) }

// activityAttrs and activityOps are what a filter over audit activities may use.
var activityAttrs = map[string]bool{"recordedat": true, "resources.id": true, "actors.user.id": true}

func parseFilterOf(s string, activities bool) (filterExpr, error) {
	if len(s) > 4096 {
		return nil, errors.New("filter is too long")
	}
	p := &filterParser{s: s, activities: activities}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at %d", p.s[p.pos:], p.pos)
	}
	return e, nil
}

func (p *filterParser) space() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *filterParser) word() string {
	p.space()
	start := p.pos
	for p.pos < len(p.s) && (unicode.IsLetter(rune(p.s[p.pos])) || p.s[p.pos] == '.') {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *filterParser) keyword(k string) bool {
	save := p.pos
	if strings.EqualFold(p.word(), k) {
		return true
	}
	p.pos = save
	return false
}

func (p *filterParser) or() (filterExpr, error) { return p.chain("or", p.and) }

func (p *filterParser) and() (filterExpr, error) { return p.chain("and", p.term) }

// chain parses operands joined by the keyword kw, grouping from the left.
func (p *filterParser) chain(kw string, operand func() (filterExpr, error)) (filterExpr, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for p.keyword(kw) {
		right, err := operand()
		if err != nil {
			return nil, err
		}
		left = boolExpr{kw, left, right}
	}
	return left, nil
}

func (p *filterParser) term() (filterExpr, error) {
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == '(' {
		p.pos++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.s) || p.s[p.pos] != ')' {
			return nil, errors.New("missing )")
		}
		p.pos++
		return e, nil
	}
	attr := p.word()
	op := strings.ToLower(p.word())
	switch {
	case p.activities && !activityAttrs[strings.ToLower(attr)]:
		return nil, fmt.Errorf("unsupported attribute %q", attr)
	case p.activities && op != "eq" && op != "gt" && op != "ge" && op != "lt" && op != "le":
		return nil, fmt.Errorf("unsupported operator %q", op)
	case p.activities:
	case !filterAttrs[attr]:
		return nil, fmt.Errorf("unsupported attribute %q", attr)
	case op != "eq" && op != "sw" && op != "co":
		return nil, fmt.Errorf("unsupported operator %q", op)
	}
	v, err := p.str()
	if err != nil {
		return nil, err
	}
	return cmpExpr{attr, op, v}, nil
}

func (p *filterParser) str() (string, error) {
	p.space()
	if p.pos >= len(p.s) || p.s[p.pos] != '"' {
		return "", errors.New("expected a quoted string")
	}
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch c {
		case '\\':
			if p.pos+1 >= len(p.s) {
				return "", errors.New("unterminated escape")
			}
			b.WriteByte(p.s[p.pos+1])
			p.pos += 2
		case '"':
			p.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", errors.New("unterminated string")
}
