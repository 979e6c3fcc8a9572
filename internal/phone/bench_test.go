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

// BenchmarkMask is the masking every log line with a number pays for.
func BenchmarkMask(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Mask("+15125201234")
	}
}
