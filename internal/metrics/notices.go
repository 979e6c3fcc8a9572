package metrics

import "github.com/prometheus/client_golang/prometheus"

// Notices exports the notices' counts (internal/notice): delivered, failed attempts, and given
// up after every attempt; counts reads them.
func (m *Metrics) Notices(counts func() (sent, failedAttempts, lost int64)) {
	read := func(i int) func() float64 {
		return func() float64 {
			s, f, l := counts()
			return float64([]int64{s, f, l}[i])
		}
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "portal_notices_sent_total", Help: "Notices delivered to the mail server."}, read(0)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "portal_notice_attempts_failed_total", Help: "Notice deliveries that failed (each is retried a few times)."}, read(1)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "portal_notices_lost_total", Help: "Notices given up after every attempt."}, read(2)),
	)
}
