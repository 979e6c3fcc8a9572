package deploy

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/promqltest"
)

// TestAlertsFireOnTheirScenario evaluates each alert's expression with Prometheus's own engine
// on series as the portal writes them: it fires for the instance (job) in trouble and stays
// quiet for the one having a normal day.
func TestAlertsFireOnTheirScenario(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(monitoring, "alerts.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	groups, errs := parseRules(data)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	exprs := map[string]string{}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			exprs[r.Alert] = r.Expr
		}
	}
	// Short windows are read from 30-second samples, as Prometheus scrapes (30 steps are 15
	// minutes); the week-long ones from ten-minute samples over eight days (1,200 steps are 200
	// hours).
	const short, long = 30 * time.Second, 10 * time.Minute
	const end = 200 * time.Hour
	tests := []struct {
		alert, series string
		step, at      time.Duration
		fires         []string // the job (and country) of each alert that fires
	}{
		{"PortalPingOneErrors", `
			portal_pingone_requests_total{job="bad",route="GET /users/{id}/devices",outcome="200"} 0+10x30
			portal_pingone_requests_total{job="bad",route="GET /users/{id}/devices",outcome="503"} 0+10x30
			portal_pingone_requests_total{job="good",route="GET /users/{id}/devices",outcome="200"} 0+100x30
			portal_pingone_requests_total{job="good",route="GET /users/{id}/devices",outcome="503"} 0+1x30`,
			short, 14 * time.Minute, []string{"bad"}},
		{"PortalPingOneThrottled", `
			portal_pingone_requests_total{job="limited",route="POST /users/{id}/devices",outcome="429"} 0+3x30
			portal_pingone_queue_refused_total{job="limited"} 0x30
			portal_pingone_queue_refused_total{job="queued"} 0+4x30
			portal_pingone_queue_refused_total{job="calm"} 0x30`,
			short, 14 * time.Minute, []string{"limited", "queued"}},
		{"PortalTextsRefused", `
			portal_refusals_total{job="abused",reason="limit_texts_to_number"} 0+20x30
			portal_refusals_total{job="busy",reason="limit_sign_in"} 0+20x30
			portal_refusals_total{job="busy",reason="code_wrong"} 0+20x30`,
			short, 14 * time.Minute, []string{"abused"}},
		{"PortalStoreDown", `
			portal_store_errors_total{job="down",operation="ping"} 0+12x30
			portal_store_errors_total{job="up",operation="ping"} 0x30
			portal_store_errors_total{job="blip",operation="get"} 0x10 1x19`,
			short, 14 * time.Minute, []string{"down"}},
		{"PortalSMSVolumeUnusual", `
			portal_texts_sent_total{job="normal",country="US"} 0+2x1200
			portal_texts_sent_total{job="pumped",country="US"} 0+2x1140 2300+50x59`,
			long, end, []string{"pumped"}},
		{"PortalTextsToNewCountry", `
			portal_texts_sent_total{job="p",country="US"} 0+2x1200
			portal_texts_sent_total{job="p",country="NG"} 0x1140 0+3x59`,
			long, end, []string{"p NG"}},
	}
	engine := promqltest.NewTestEngine(t, false, 0, 10_000_000)
	for _, tc := range tests {
		t.Run(tc.alert, func(t *testing.T) {
			expr := exprs[tc.alert]
			if expr == "" {
				t.Fatalf("no alert %s in alerts.yaml", tc.alert)
			}
			load := "load " + model.Duration(tc.step).String() + "\n"
			for line := range strings.Lines(tc.series) {
				if line = strings.TrimSpace(line); line != "" {
					load += "  " + line + "\n"
				}
			}
			storage := promqltest.LoadedStorage(t, load)
			q, err := engine.NewInstantQuery(context.Background(), storage, nil, expr, time.Unix(0, 0).Add(tc.at))
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			res := q.Exec(context.Background())
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			vec, err := res.Vector()
			if err != nil {
				t.Fatal(err)
			}
			var fired []string
			for _, s := range vec {
				who := s.Metric.Get("job")
				if c := s.Metric.Get("country"); c != "" {
					who += " " + c
				}
				fired = append(fired, who)
			}
			slices.Sort(fired)
			if !slices.Equal(fired, tc.fires) {
				t.Errorf("fires for %v, want %v\n%s", fired, tc.fires, strings.TrimSpace(expr))
			}
		})
	}
}
