package pingonetest

import (
	"net/http"
	"testing"
)

// devicePolicies: the device authentication policies are listed under _embedded, exactly one
// is the default, each one reads alone as it is listed, and the policy the portal uses
// (Target.DevicePolicyID, else the default) lets SMS devices be paired (the rest of the suite
// pairs them) with the SMS code settings the portal shows: otpLength (6 to 10, as
// Target.OTPLength says), lifeTime and failure in MINUTES or SECONDS. An unknown policy ID is
// the documented 404 NOT_FOUND.
func (c *contract) devicePolicies(t *testing.T) {
	base := c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/deviceAuthenticationPolicies"
	status, _, page := c.call(http.MethodGet, base, "", "", c.tok)
	if status != 200 {
		t.Fatalf("list device authentication policies: %d %v", status, page)
	}
	list, _ := getPath(page, "_embedded", "deviceAuthenticationPolicies").([]any)
	if len(list) == 0 {
		t.Fatalf("_embedded.deviceAuthenticationPolicies is empty or missing: %v", page)
	}
	var inForce map[string]any
	defaults := 0
	for _, v := range list {
		p, _ := v.(map[string]any)
		id, _ := p["id"].(string)
		if id == "" || p["name"] == "" {
			t.Errorf("a policy without id or name: %v", p)
			continue
		}
		isDefault, ok := p["default"].(bool)
		if !ok {
			t.Errorf("policy %s: default = %v, want a boolean", id, p["default"])
		}
		if isDefault {
			defaults++
		}
		if (c.tg.DevicePolicyID == "" && isDefault) || id == c.tg.DevicePolicyID {
			inForce = p
		}
		checkSMSPolicy(t, id, p)
		st, _, one := c.call(http.MethodGet, base+"/"+id, "", "", c.tok)
		if st != 200 || one["id"] != id || getPath(one, "sms", "enabled") != getPath(p, "sms", "enabled") ||
			getPath(one, "sms", "pairingDisabled") != getPath(p, "sms", "pairingDisabled") {
			t.Errorf("policy %s read alone: %d, sms %v; listed: sms %v", id, st, one["sms"], p["sms"])
		}
	}
	if defaults != 1 {
		t.Errorf("%d policies are the default, want exactly 1", defaults)
	}
	if inForce == nil {
		t.Fatalf("no policy %q (Target.DevicePolicyID; empty: the default) among %d", c.tg.DevicePolicyID, len(list))
	}
	if getPath(inForce, "sms", "enabled") != true || getPath(inForce, "sms", "pairingDisabled") == true {
		t.Errorf("the policy in force (%v) does not let SMS devices be paired: sms = %v; enable SMS in it "+
			"(Authentication → MFA → the policy → SMS) for the rest of the suite", inForce["id"], inForce["sms"])
	}
	want := float64(c.tg.OTPLength)
	if want == 0 {
		want = 6
	}
	if n, ok := getPath(inForce, "sms", "otp", "otpLength").(float64); ok && n != want {
		t.Errorf("sms.otp.otpLength = %v, want %v", n, want)
	}
	st, _, e := c.call(http.MethodGet, base+"/00000000-0000-4000-8000-000000000000", "", "", c.tok)
	if st != http.StatusNotFound || e["code"] != "NOT_FOUND" {
		t.Errorf("unknown policy: %d %v, want 404 NOT_FOUND", st, e)
	}
}

// checkSMSPolicy holds one policy's sms object to mfa.yaml's DeviceAuthenticationPolicyOfflineDevice.
func checkSMSPolicy(t *testing.T, id string, p map[string]any) {
	t.Helper()
	sms, ok := p["sms"].(map[string]any)
	if !ok {
		t.Errorf("policy %s: no sms object", id)
		return
	}
	if _, ok := sms["enabled"].(bool); !ok {
		t.Errorf("policy %s: sms.enabled = %v", id, sms["enabled"])
	}
	if v, ok := sms["pairingDisabled"]; ok {
		if _, ok := v.(bool); !ok {
			t.Errorf("policy %s: sms.pairingDisabled = %v", id, v)
		}
	}
	if n, ok := getPath(sms, "otp", "otpLength").(float64); ok && (n < 6 || n > 10) {
		t.Errorf("policy %s: sms.otp.otpLength = %v, want 6 to 10", id, n)
	}
	for _, span := range [][]string{{"otp", "lifeTime"}, {"otp", "failure", "coolDown"}} {
		d, ok := getPath(sms, append(span, "duration")...).(float64)
		unit := getPath(sms, append(span, "timeUnit")...)
		if !ok || d < 0 || (unit != "MINUTES" && unit != "SECONDS") {
			t.Errorf("policy %s: sms.%v = %v %v, want a duration in MINUTES or SECONDS", id, span, getPath(sms, span...), unit)
		}
	}
	if n, ok := getPath(sms, "otp", "failure", "count").(float64); !ok || n < 1 {
		t.Errorf("policy %s: sms.otp.failure.count = %v", id, getPath(sms, "otp", "failure", "count"))
	}
}
