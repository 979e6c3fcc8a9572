package form

import (
	"net/http"

	"github.com/smsmfa/portal/internal/phone"
)

// MaxRegion bounds the picked country or region: an ISO 3166 code is two letters, and
// anything longer is no pick.
const MaxRegion = 3

// Phone is the add-phone form, the person's and the help desk's, and the replacement's (the
// new number): the country or region picked and the number as typed.
type Phone struct {
	// Region is the ISO 3166 code picked, or "" when none was or the value is too long to be
	// one (over MaxRegion bytes). internal/phone decides whether it is known and allowed.
	Region string
	// Number is the number as typed: internal/phone cleans it (phone.Clean), so a refused
	// number is shown again as the person typed it.
	Number string
}

// NewPhone reads the add-phone form of r.
func NewPhone(r *http.Request) Phone {
	p := Phone{Region: r.FormValue("region"), Number: r.FormValue("phone")}
	if len(p.Region) > MaxRegion {
		p.Region = ""
	}
	return p
}

// Shown is the number as the form shows it again after a refusal: as typed, cut to twice
// phone.MaxInputLength bytes (a longer one is refused, and the page need not echo all of it).
func (p Phone) Shown() string {
	if len(p.Number) > 2*phone.MaxInputLength {
		return p.Number[:2*phone.MaxInputLength]
	}
	return p.Number
}

// Problem is the number's first problem, a *phone.Error, before anything is parsed (phone.Check:
// empty, too long, other characters, no country), or nil.
func (p Phone) Problem() error { return phone.Check(p.Number, p.Region) }
