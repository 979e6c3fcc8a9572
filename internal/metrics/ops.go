package metrics

import "github.com/prometheus/client_golang/prometheus"

// opsMetrics are the figures operators alert on besides traffic: each dependency up or down,
// the work in flight and what was turned away, session cookies no key opens.
type opsMetrics struct {
	depUp       *prometheus.GaugeVec
	depChecked  *prometheus.GaugeVec
	inFlight    prometheus.Gauge
	shed        prometheus.Counter
	cookieNoKey prometheus.Counter
}

func newOpsMetrics() opsMetrics {
	return opsMetrics{
		depUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "portal_dependency_up", Help: "Whether this instance's last check of a dependency passed (1) or failed (0): redis (a write and read under the key prefix), pingone (discovery and the worker token, fetched afresh).",
		}, []string{"dependency"}),
		depChecked: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "portal_dependency_checked_timestamp_seconds", Help: "When this instance last checked a dependency (Unix time).",
		}, []string{"dependency"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "portal_requests_in_flight", Help: "Requests this instance is working on now (health probes and static files not counted).",
		}),
		shed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "portal_requests_shed_total", Help: "Requests answered at once with \"try again in a minute\" (503) because MAX_IN_FLIGHT requests were in flight.",
		}),
		cookieNoKey: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "portal_session_cookie_unopened_total", Help: "Session cookies that no key in SESSION_KEYS opens (instances with different keys, a key rotated out too soon, tampering).",
		}),
	}
}

func (o opsMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{o.depUp, o.depChecked, o.inFlight, o.shed, o.cookieNoKey}
}

// Dependency records one check of a dependency ("redis", "pingone"): up or not, at unix time.
func (m *Metrics) Dependency(name string, up bool, unix float64) {
	if m == nil {
		return
	}
	v := 0.0
	if up {
		v = 1
	}
	m.ops.depUp.WithLabelValues(name).Set(v)
	m.ops.depChecked.WithLabelValues(name).Set(unix)
}

// InFlight counts requests starting (+1) and ending (-1).
func (m *Metrics) InFlight(delta int) {
	if m == nil {
		return
	}
	m.ops.inFlight.Add(float64(delta))
}

// Shed counts a request turned away because the instance was at MAX_IN_FLIGHT.
func (m *Metrics) Shed() {
	if m == nil {
		return
	}
	m.ops.shed.Inc()
}

// CookieUnopened counts a session cookie that no key in SESSION_KEYS opened.
func (m *Metrics) CookieUnopened() {
	if m == nil {
		return
	}
	m.ops.cookieNoKey.Inc()
}
