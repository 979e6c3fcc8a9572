package deploy

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

const monitoring = "monitoring"

// exportedMetrics reads the series names the portal exports from internal/metrics/names.txt,
// which the portal's TestNamesFile keeps in step with its metrics package.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "internal", "metrics", "names.txt"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for line := range strings.Lines(string(data)) {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			names[line] = true
		}
	}
	if !names["portal_http_requests_total"] || len(names) < 20 {
		t.Fatalf("names.txt lists %d names; it has changed shape", len(names))
	}
	return names
}

var promql = parser.NewParser(parser.Options{})

// metricsOf parses a PromQL expression with Prometheus's parser and returns the metric names
// its selectors name; a selector without a name (matching on labels only) is an error.
func metricsOf(expr string) ([]string, error) {
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var names []string
	var unnamed error
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			if vs.Name == "" {
				unnamed = &unnamedSelector{vs.String()}
			}
			names = append(names, vs.Name)
		}
		return nil
	})
	return names, unnamed
}

type unnamedSelector struct{ sel string }

func (e *unnamedSelector) Error() string { return "selector " + e.sel + " names no metric" }

// checkMetrics reports every metric expr names that the portal does not export.
func checkMetrics(t *testing.T, where, expr string, exported map[string]bool) []string {
	t.Helper()
	names, err := metricsOf(expr)
	if err != nil {
		t.Errorf("%s: %v\n%s", where, err, expr)
		return nil
	}
	if len(names) == 0 {
		t.Errorf("%s names no metric: %s", where, expr)
	}
	for _, n := range names {
		if !exported[n] {
			t.Errorf("%s names %q, which the portal does not export (internal/metrics/names.txt)", where, n)
		}
	}
	return names
}

func parseRules(data []byte) (*rulefmt.RuleGroups, []error) {
	return rulefmt.Parse(data, false, model.UTF8Validation, promql, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// TestAlertRules parses alerts.yaml as Prometheus loads it (rulefmt, strict fields, every
// expression and template parsed) and checks that the alerts the runbook promises are there,
// each with a severity, a summary and a wait, on metrics the portal exports.
func TestAlertRules(t *testing.T) {
	exported := exportedMetrics(t)
	data, err := os.ReadFile(filepath.Join(monitoring, "alerts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	groups, errs := parseRules(data)
	for _, e := range errs {
		t.Error(e)
	}
	if groups == nil {
		t.FailNow()
	}
	watched := map[string][]string{} // alert → metrics
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			watched[r.Alert] = checkMetrics(t, "alert "+r.Alert, r.Expr, exported)
			if s := r.Labels["severity"]; s != "critical" && s != "warning" {
				t.Errorf("alert %s: severity %q, want critical or warning", r.Alert, s)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("alert %s has no summary or description", r.Alert)
			}
			if time.Duration(r.For) < time.Minute {
				t.Errorf("alert %s fires on a single evaluation (for: %v)", r.Alert, r.For)
			}
		}
	}
	// The four the issue asks for, by what they watch.
	for alert, metric := range map[string]string{
		"PortalPingOneErrors":    "portal_pingone_requests_total",
		"PortalTextsRefused":     "portal_refusals_total",
		"PortalStoreDown":        "portal_store_errors_total",
		"PortalSMSVolumeUnusual": "portal_texts_sent_total",
	} {
		if !slices.Contains(watched[alert], metric) {
			t.Errorf("alert %s: missing, or does not watch %s (watches %v)", alert, metric, watched[alert])
		}
	}
}

// TestRuleCheckingCatchesMistakes shows the checks have teeth: a rule Prometheus would refuse,
// and an expression naming a metric the portal does not export, both fail.
func TestRuleCheckingCatchesMistakes(t *testing.T) {
	for name, doc := range map[string]string{
		"bad PromQL":      "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: rate(portal_texts_sent_total[5m] >\n",
		"misspelt field":  "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    four: 5m\n",
		"bad template":    "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations:\n      summary: '{{ $value '\n",
		"repeated group":  "groups:\n- name: g\n  rules: []\n- name: g\n  rules: []\n",
		"no expr on rule": "groups:\n- name: g\n  rules:\n  - alert: A\n",
	} {
		if _, errs := parseRules([]byte(doc)); len(errs) == 0 {
			t.Errorf("%s: parsed without error", name)
		}
	}
	exported := exportedMetrics(t)
	for _, expr := range []string{"rate(portal_texts_sent_totl[5m])", `sum(rate({job="portal"}[5m]))`} {
		names, err := metricsOf(expr)
		ok := err == nil
		for _, n := range names {
			ok = ok && exported[n]
		}
		if ok {
			t.Errorf("%s: accepted", expr)
		}
	}
}

// dashboard is the part of Grafana's dashboard JSON model the test reads.
type dashboard struct {
	Title      string  `json:"title"`
	UID        string  `json:"uid"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int    `json:"id"`
	Type       string `json:"type"`
	Title      string `json:"title"`
	Datasource *struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr  string `json:"expr"`
		RefID string `json:"refId"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // a collapsed row's
}

// grafanaVariable is a dashboard variable in a query: $name, ${name} or ${name:format}.
var grafanaVariable = regexp.MustCompile(`\$\{?(\w+)(:\w+)?\}?`)

// asPromQL replaces Grafana's variables with values of their kind, so that Prometheus's parser
// reads the query as Grafana sends it.
func asPromQL(expr string) string {
	return grafanaVariable.ReplaceAllStringFunc(expr, func(v string) string {
		switch grafanaVariable.FindStringSubmatch(v)[1] {
		case "__rate_interval", "__interval", "__range":
			return "5m"
		case "__interval_ms", "__range_s", "__range_ms":
			return "300"
		}
		return "portal"
	})
}

// TestDashboard reads dashboard.json: every panel's query parses as PromQL and names only
// metrics the portal exports (internal/metrics/names.txt), every panel reads the dashboard's
// Prometheus variable, and the figures the alerts are about each have a panel.
func TestDashboard(t *testing.T) {
	exported := exportedMetrics(t)
	data, err := os.ReadFile(filepath.Join(monitoring, "dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if d.Title == "" || d.UID == "" {
		t.Errorf("dashboard has no title or uid")
	}
	vars := map[string]string{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["datasource"] != "datasource" {
		t.Errorf("no datasource variable: %v", vars)
	}
	var all []panel
	for _, p := range d.Panels {
		all = append(all, p)
		all = append(all, p.Panels...)
	}
	ids := map[int]bool{}
	shown := map[string]bool{}
	queries := 0
	for _, p := range all {
		if ids[p.ID] {
			t.Errorf("panel id %d repeated", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.Type != "prometheus" || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q does not read the dashboard's Prometheus variable", p.Title)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			queries++
			for _, m := range grafanaVariable.FindAllStringSubmatch(tg.Expr, -1) {
				if name := m[1]; !strings.HasPrefix(name, "__") && vars[name] == "" {
					t.Errorf("panel %q uses $%s, which the dashboard does not define", p.Title, name)
				}
			}
			for _, n := range checkMetrics(t, "panel "+p.Title, asPromQL(tg.Expr), exported) {
				shown[n] = true
			}
		}
	}
	if queries < 8 {
		t.Errorf("%d queries; the dashboard has lost its panels", queries)
	}
	for _, n := range []string{"portal_texts_sent_total", "portal_refusals_total", "portal_pingone_request_duration_seconds_bucket",
		"portal_pingone_requests_total", "portal_store_errors_total", "process_resident_memory_bytes"} {
		if !shown[n] {
			t.Errorf("no panel shows %s", n)
		}
	}
}
