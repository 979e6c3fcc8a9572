package pingonetest

import (
	"net/http"
	"net/url"
	"testing"
)

func (c *contract) users(t *testing.T) {
	base := c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/users"
	status, _, u := c.call(http.MethodGet, base+"/"+c.tg.UserID+"?include=memberOfGroupIDs", "", "", c.tok)
	if status != 200 || u["id"] != c.tg.UserID || u["username"] != c.tg.Username {
		t.Fatalf("read user: %d %v", status, u["username"])
	}
	if _, ok := u["mfaEnabled"].(bool); !ok {
		t.Error("user has no mfaEnabled")
	}
	if c.tg.GroupID != "" {
		gs, _ := u["memberOfGroupIDs"].([]any)
		found := false
		for _, g := range gs {
			found = found || g == c.tg.GroupID || getPath(map[string]any{"g": g}, "g", "id") == c.tg.GroupID
		}
		if !found {
			t.Errorf("memberOfGroupIDs %v lacks %s", gs, c.tg.GroupID)
		}
	}
	q := url.Values{"filter": {`username eq "` + c.tg.Username + `"`}}
	status, _, page := c.call(http.MethodGet, base+"?"+q.Encode(), "", "", c.tok)
	users, _ := getPath(page, "_embedded", "users").([]any)
	if status != 200 || len(users) != 1 {
		t.Errorf("search by username: %d, %d users", status, len(users))
	}
	q.Set("filter", `username eq "x" oops`)
	status, _, e := c.call(http.MethodGet, base+"?"+q.Encode(), "", "", c.tok)
	if status != 400 {
		t.Errorf("malformed filter: %d %v", status, e)
	}
	// The write flips the flag, so that a PUT that answers 200 but changes nothing is caught,
	// and then puts the user's own value back.
	mfa, _ := u["mfaEnabled"].(bool)
	setMFA := func(want bool) {
		t.Helper()
		status, _, put := c.call(http.MethodPut, base+"/"+c.tg.UserID+"/mfaEnabled", "application/json", `{"mfaEnabled":`+boolString(want)+`}`, c.tok)
		if status != 200 {
			t.Errorf("set mfaEnabled: %d", status)
		}
		if got, ok := put["mfaEnabled"].(bool); !ok || got != want {
			t.Errorf("set mfaEnabled to %v: the answer says %v", want, put["mfaEnabled"])
		}
		status, _, back := c.call(http.MethodGet, base+"/"+c.tg.UserID, "", "", c.tok)
		if got, ok := back["mfaEnabled"].(bool); status != 200 || !ok || got != want {
			t.Errorf("set mfaEnabled to %v: read back %d %v", want, status, back["mfaEnabled"])
		}
	}
	setMFA(!mfa)
	setMFA(mfa)
}

// mfaSettings reads the environment's MFA settings in their documented shape.
func (c *contract) mfaSettings(t *testing.T) {
	status, _, m := c.call(http.MethodGet, c.tg.APIBase+"/environments/"+c.tg.EnvironmentID+"/mfaSettings", "", "", c.tok)
	if status != 200 {
		t.Fatalf("mfaSettings: %d %v", status, m)
	}
	n, ok := getPath(m, "pairing", "maxAllowedDevices").(float64)
	if !ok || n < 1 || n > 15 {
		t.Errorf("pairing.maxAllowedDevices = %v, want 1 to 15", getPath(m, "pairing", "maxAllowedDevices"))
	}
	if c.tg.DeviceLimit > 0 && int(n) != c.tg.DeviceLimit {
		t.Errorf("pairing.maxAllowedDevices = %v, want %d", n, c.tg.DeviceLimit)
	}
	switch getPath(m, "pairing", "pairingKeyFormat") {
	case "NUMERIC", "ALPHANUMERIC":
	default:
		t.Errorf("pairing.pairingKeyFormat = %v", getPath(m, "pairing", "pairingKeyFormat"))
	}
	if fc, ok := getPath(m, "lockout", "failureCount").(float64); !ok || fc < 1 {
		t.Errorf("lockout.failureCount = %v", getPath(m, "lockout", "failureCount"))
	}
	if _, ok := getPath(m, "lockout", "durationSeconds").(float64); !ok {
		t.Errorf("lockout.durationSeconds = %v", getPath(m, "lockout", "durationSeconds"))
	}
}

// group reads the help-desk group, as the portal's preflight does.
func (c *contract) group(t *testing.T) {
	base := c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/groups/"
	status, _, g := c.call(http.MethodGet, base+c.tg.GroupID, "", "", c.tok)
	if status != 200 || g["id"] != c.tg.GroupID || g["name"] == "" {
		t.Errorf("read group: %d %v", status, g)
	}
	status, _, e := c.call(http.MethodGet, base+"00000000-0000-4000-8000-000000000000", "", "", c.tok)
	if status != 404 || e["code"] != "NOT_FOUND" {
		t.Errorf("unknown group: %d %v", status, e)
	}
}
