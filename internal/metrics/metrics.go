// Package metrics holds the portal's Prometheus metrics: HTTP requests by route, PingOne calls
// by route and outcome, and the queue before PingOne under PINGONE_MAX_RPS. They are served on their own address (METRICS_ADDR),
// never on the public one. Texts by country, refusals by reason and store errors feed the
// alert rules in deploy/monitoring; names.txt lists every series name the portal exports, for
// the dashboard's test (TestNamesFile keeps it in step).
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry with the portal's collectors.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	pingone  *prometheus.CounterVec
	pingDur  *prometheus.HistogramVec
	// queueWait, queued and queueRefused show the PINGONE_MAX_RPS ceiling at work.
	queueWait    prometheus.Histogram
	queued       prometheus.Gauge
	queueRefused prometheus.Counter
	// ops are the dependency, in-flight and session-key figures (ops.go).
	ops opsMetrics
	// texts, refusals and storeErrors are what the alert rules in deploy/monitoring watch.
	texts       *prometheus.CounterVec
	refusals    *prometheus.CounterVec
	storeErrors *prometheus.CounterVec
}

// New returns a registry with Go and process collectors and the portal's own.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "portal_http_request_duration_seconds", Help: "HTTP request duration by route pattern.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		pingone: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_pingone_requests_total", Help: "Calls to PingOne's management API by route and outcome (status code, or error).",
		}, []string{"route", "outcome"}),
		pingDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "portal_pingone_request_duration_seconds", Help: "Duration of calls to PingOne's management API by route.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		queueWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "portal_pingone_queue_wait_seconds", Help: "How long calls to PingOne waited for a turn under PINGONE_MAX_RPS (only calls that had to wait).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		queued: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "portal_pingone_queued", Help: "Calls to PingOne waiting now for a turn under PINGONE_MAX_RPS.",
		}),
		queueRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "portal_pingone_queue_refused_total", Help: "Calls to PingOne not sent because PINGONE_MAX_RPS had no turn for them before their deadline.",
		}),
		texts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_texts_sent_total", Help: "Texts PingOne was asked to send with a code, by the country or region of the number (ISO 3166 code; never the number).",
		}, []string{"country"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_refusals_total", Help: "Requests refused with words to the person, by reason: a number the policy refuses (number_*), a limit (limit_*), a wrong or malformed code, a lockout, a device cap.",
		}, []string{"reason"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_store_errors_total", Help: "Calls to the shared store (Redis) that got no answer, by operation.",
		}, []string{"operation"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.pingone, m.pingDur, m.queueWait, m.queued, m.queueRefused,
		m.texts, m.refusals, m.storeErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.ops = newOpsMetrics()
	m.reg.MustRegister(m.ops.collectors()...)
	return m
}

// HTTP records one answered request.
func (m *Metrics) HTTP(route, method string, code int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// PingOne records one call to PingOne; status 0 means no answer (timeout, reset).
func (m *Metrics) PingOne(route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	outcome := "error"
	if status > 0 {
		outcome = strconv.Itoa(status)
	}
	m.pingone.WithLabelValues(route, outcome).Inc()
	m.pingDur.WithLabelValues(route).Observe(d.Seconds())
}

// PingOneQueue records a call that met the PINGONE_MAX_RPS ceiling: how long it waited, and
// whether it got a turn (false: its deadline came first, and it was not sent).
func (m *Metrics) PingOneQueue(wait time.Duration, admitted bool) {
	if m == nil {
		return
	}
	if !admitted {
		m.queueRefused.Inc()
		return
	}
	m.queueWait.Observe(wait.Seconds())
}

// PingOneQueued counts calls starting (+1) and stopping (-1) to wait for a turn.
func (m *Metrics) PingOneQueued(delta int) {
	if m == nil {
		return
	}
	m.queued.Add(float64(delta))
}

// TextSent counts one text sent to a number of country (an ISO 3166 code; "" counts as
// "unknown").
func (m *Metrics) TextSent(country string) {
	if m == nil {
		return
	}
	if country == "" {
		country = "unknown"
	}
	m.texts.WithLabelValues(country).Inc()
}

// Refusal counts one refusal by its reason, a label from a small fixed set.
func (m *Metrics) Refusal(reason string) {
	if m == nil {
		return
	}
	m.refusals.WithLabelValues(reason).Inc()
}

// StoreError counts one store operation that got no answer.
func (m *Metrics) StoreError(operation string) {
	if m == nil {
		return
	}
	m.storeErrors.WithLabelValues(operation).Inc()
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
