package phone

import "testing"

// BenchmarkParse is the server-side check of one typed number.
func BenchmarkParse(b *testing.B) {
	p, _ := NewPolicy(nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse("+1 (512) 520-1234", ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkShown is the formatting and masking every listed phone pays for.
func BenchmarkShown(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = Shown("+15125201234")
	}
}

// BenchmarkParseExamples checks every example number and its mutations (11,000 of them, most
// refused, from every region); ns/op is per number.
func BenchmarkParseExamples(b *testing.B) {
	p, _ := NewPolicy(nil)
	cases := ExampleCases()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := cases[i%len(cases)]
		_, _ = p.Parse(c.Input, c.Region)
		i++
	}
}
