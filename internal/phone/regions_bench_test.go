package phone

import "testing"

// BenchmarkRegions is the country picker every add-phone page renders.
func BenchmarkRegions(b *testing.B) {
	p, _ := NewPolicy(nil)
	b.ReportAllocs()
	for b.Loop() {
		if len(p.Regions()) < 200 {
			b.Fatal("too few regions")
		}
	}
}
