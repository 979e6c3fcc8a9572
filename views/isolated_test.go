package views

import (
	"context"
	"strings"
	"testing"
)

func TestIsolatedKeepsNumbersAndCountries(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Rename +1 512-520-1234", `Rename <span class="nowrap" dir="ltr">+1 512-520-1234</span>`},
		{"Remove +1 •••-•••-1234?", `Remove <span class="nowrap" dir="ltr">+1 •••-•••-1234</span>?`},
		{"إعادة تسمية \u2066+44 7400 123456\u2069", "إعادة تسمية \u2066<span class=\"nowrap\" dir=\"ltr\">+44 7400 123456</span>\u2069"},
		{"(\u2068United States\u2069) <b>", "(<bdi>United States</bdi>) &lt;b&gt;"},
		{"3 devices since 2026", "3 devices since 2026"},
	} {
		var b strings.Builder
		if err := isolated(c.in).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("isolated(%q) = %q, want %q", c.in, b.String(), c.want)
		}
	}
}
