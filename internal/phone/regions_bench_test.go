package phone

import (
	"testing"

	"github.com/smsmfa/portal/internal/messages"
)

// BenchmarkRegions is the country picker every add-phone page renders.
func BenchmarkRegions(b *testing.B) {
	p, _ := NewPolicy(nil)
	en := messages.English()
	b.ReportAllocs()
	for b.Loop() {
		if len(p.RegionsIn(en)) < 200 {
			b.Fatal("too few regions")
		}
	}
}
