package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/smsmfa/portal/internal/logging"
)

func TestRecordHasEveryField(t *testing.T) {
	var buf bytes.Buffer
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	l := New(logging.New(&buf, 0), func() time.Time { return at })
	ctx := logging.WithRequestID(context.Background(), "req-1")
	l.Record(ctx, Event{Actor: Person{"a1", "hank"}, Target: Person{"u1", "erin"}, Action: ActionRemove, DeviceID: "d1",
		OldNumber: "+1 •••-•••-1234", Reason: "INC-1", Outcome: OutcomeSuccess, Helpdesk: true,
		VerifiedBy: "approval", Approver: Person{"a2", "hilda"}, Signals: []string{"recent_change"}})
	var line struct {
		Msg   string         `json:"msg"`
		Audit map[string]any `json:"audit"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"actor_id": "a1", "actor_username": "hank", "target_id": "u1", "target_username": "erin",
		"action": "remove_device", "device_id": "d1", "old_number": "+1 •••-•••-1234", "new_number": "", "reason": "INC-1",
		"outcome": "success", "detail": "", "helpdesk": true, "request_id": "req-1", "time": "2026-11-27T12:00:00Z",
		"verified_by": "approval", "approver_id": "a2", "approver_username": "hilda"}
	if line.Msg != "audit" || len(line.Audit) != len(want)+1 {
		t.Fatalf("record %s", buf.String())
	}
	for k, v := range want {
		if line.Audit[k] != v {
			t.Errorf("%s = %v, want %v", k, line.Audit[k], v)
		}
	}
	if s, _ := line.Audit["signals"].([]any); len(s) != 1 || s[0] != "recent_change" {
		t.Errorf("signals = %v", line.Audit["signals"])
	}
}
