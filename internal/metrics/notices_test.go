package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNoticesCounted(t *testing.T) {
	m := New()
	sent, failed, lost := int64(3), int64(2), int64(1)
	m.Notices(func() (int64, int64, int64) { return sent, failed, lost })
	failed++
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{"portal_notices_sent_total 3", "portal_notice_attempts_failed_total 3", "portal_notices_lost_total 1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("no %q in the metrics", want)
		}
	}
}
