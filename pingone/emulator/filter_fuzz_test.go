package emulator

import (
	"testing"

	"github.com/smsmfa/portal/pingone"
)

// FuzzFilterBuilder checks that whatever a person types into a search, the client's filter
// builder yields one comparison whose literal is exactly what they typed (control characters
// aside): no input can add a clause.
func FuzzFilterBuilder(f *testing.F) {
	for _, s := range []string{"ada", `" or username sw "`, `\`, `\"`, `a") or (email sw "`, "x\x00y", "élan"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 1000 {
			return // the emulator, like PingOne, caps a filter's length; searches take at most 100 characters
		}
		expr, err := parseFilter(pingone.Sw("username", in).String())
		if err != nil {
			t.Fatalf("builder output did not parse: %v", err)
		}
		c, ok := expr.(cmpExpr)
		if !ok {
			t.Fatalf("input %q produced a compound filter %#v", in, expr)
		}
		want := ""
		for _, r := range in {
			if r >= 0x20 && r != 0x7f {
				want += string(r)
			}
		}
		if c.attr != "username" || c.op != "sw" || c.value != want {
			t.Fatalf("input %q became %#v", in, c)
		}
	})
}
