package pingonetest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The device authentication part of the contract (issue #16's caller verification): PingOne's
// MFA Device Authentications reference, on the auth host, with the worker's token, in raw HTTP.
// A real tenant's device selection policy may text the default device at once
// (OTP_REQUIRED) or wait (DEVICE_SELECTION_REQUIRED); the suite selects its own device either
// way, which both allow.

const (
	ctDeviceSelect = "application/vnd.pingidentity.device.select+json"
	ctOTPCheck     = "application/vnd.pingidentity.otp.check+json"
)

func (c *contract) deviceAuthsURL() string {
	return strings.TrimRight(c.tg.AuthBase, "/") + "/" + c.tg.EnvironmentID + "/deviceAuthentications"
}

// checkDeviceAuth holds an answer to the shape of the reference's examples.
func checkDeviceAuth(t *testing.T, a map[string]any, userID string) {
	t.Helper()
	id, _ := a["id"].(string)
	if id == "" {
		t.Fatalf("device authentication without an id: %v", a)
	}
	if h, _ := getPath(a, "_links", "self", "href").(string); !strings.HasSuffix(h, "/deviceAuthentications/"+id) {
		t.Errorf("_links.self = %v", getPath(a, "_links", "self"))
	}
	if getPath(a, "user", "id") != userID {
		t.Errorf("user = %v, want %s", a["user"], userID)
	}
	if _, ok := getPath(a, "_embedded", "devices").([]any); !ok {
		t.Errorf("_embedded.devices missing: %v", a["_embedded"])
	}
	for _, k := range []string{"status", "createdAt", "updatedAt"} {
		if v, _ := a[k].(string); v == "" {
			t.Errorf("%s missing", k)
		}
	}
	if getPath(a, "environment", "id") == nil {
		t.Errorf("environment.id missing")
	}
	switch a["status"] {
	case "OTP_REQUIRED":
		if h, _ := getPath(a, "_links", "otp.check", "href").(string); h == "" {
			t.Errorf("OTP_REQUIRED without _links.otp.check: %v", a["_links"])
		}
	case "DEVICE_SELECTION_REQUIRED":
		if h, _ := getPath(a, "_links", "device.select", "href").(string); h == "" {
			t.Errorf("DEVICE_SELECTION_REQUIRED without _links.device.select: %v", a["_links"])
		}
	}
}

func embeddedDeviceIDs(a map[string]any) []string {
	var ids []string
	ds, _ := getPath(a, "_embedded", "devices").([]any)
	for _, d := range ds {
		if id, _ := getPath(d.(map[string]any), "id").(string); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// startSMSAuth gives the user an active phone and starts a device authentication with it
// selected; the phone is removed by the caller's cleanup.
func (c *contract) startSMSAuth(t *testing.T, userID, phone string) (authURL, deviceID string) {
	t.Helper()
	devs := c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/users/" + userID + "/devices"
	status, _, dev := c.call(http.MethodPost, devs, "application/json", `{"type":"SMS","phone":"`+phone+`"}`, c.tok)
	if status != http.StatusCreated || dev["status"] != "ACTIVE" {
		t.Fatalf("create an active phone: %d %v", status, dev)
	}
	deviceID = dev["id"].(string)
	t.Cleanup(func() { c.call(http.MethodDelete, devs+"/"+deviceID, "", "", c.tok) })
	status, _, a := c.call(http.MethodPost, c.deviceAuthsURL(), "application/json", `{"user":{"id":"`+userID+`"}}`, c.tok)
	if status != http.StatusCreated && status != http.StatusOK {
		t.Fatalf("start: %d %v", status, a)
	}
	checkDeviceAuth(t, a, userID)
	if st := a["status"]; st != "OTP_REQUIRED" && st != "DEVICE_SELECTION_REQUIRED" {
		t.Fatalf("start: status %v, want OTP_REQUIRED or DEVICE_SELECTION_REQUIRED", st)
	}
	found := false
	for _, id := range embeddedDeviceIDs(a) {
		found = found || id == deviceID
	}
	if !found {
		t.Errorf("the new phone %s is not among _embedded.devices %v", deviceID, embeddedDeviceIDs(a))
	}
	return c.deviceAuthsURL() + "/" + a["id"].(string), deviceID
}

func (c *contract) deviceAuthentication(t *testing.T) {
	t.Run("SMSBySelection", c.deviceAuthBySelection)
	if c.tg.OtherUserID != "" {
		t.Run("OtherUsersDeviceRefused", c.deviceAuthOtherUsersDevice)
	}
	if c.tg.Email != "" {
		t.Run("OneTimeEmail", c.deviceAuthOneTimeEmail)
	}
	t.Run("Errors", c.deviceAuthErrors)
}

// deviceAuthBySelection selects the user's phone, reads the authentication, and checks a wrong
// code, the right one and the right one again.
func (c *contract) deviceAuthBySelection(t *testing.T) {
	authURL, deviceID := c.startSMSAuth(t, c.tg.UserID, c.tg.Phone)
	status, _, a := c.call(http.MethodPost, authURL, ctDeviceSelect, `{"device":{"id":"`+deviceID+`"},"compatibility":"FULL"}`, c.tok)
	if status != http.StatusOK || a["status"] != "OTP_REQUIRED" || getPath(a, "selectedDevice", "id") != deviceID {
		t.Fatalf("select: %d %v", status, a)
	}
	checkDeviceAuth(t, a, c.tg.UserID)
	if strings.Contains(digits(jsonString(a)), digits(c.tg.Phone)) {
		t.Errorf("the answer holds the full phone number: %v", a)
	}
	status, _, r := c.call(http.MethodGet, authURL, "", "", c.tok)
	if status != http.StatusOK || r["id"] != a["id"] || r["status"] != "OTP_REQUIRED" {
		t.Errorf("read: %d %v", status, r)
	}
	if c.tg.ReadCode == nil {
		return
	}
	code := c.tg.ReadCode(c.tg.Phone)
	if code == "" {
		t.Fatal("no code texted")
	}
	wrong := strings.Repeat("0", len(code))
	if wrong == code {
		wrong = strings.Repeat("1", len(code))
	}
	status, _, e := c.call(http.MethodPost, authURL, ctOTPCheck, `{"otp":"`+wrong+`"}`, c.tok)
	if status != http.StatusBadRequest || !hasDetail(e, "INVALID_OTP", "otp") {
		t.Errorf("wrong code: %d %v, want 400 with a detail naming otp or INVALID_OTP", status, e)
	}
	checkErrorShape(t, e)
	status, _, a = c.call(http.MethodPost, authURL, ctOTPCheck, `{"otp":"`+code+`"}`, c.tok)
	if status != http.StatusOK || a["status"] != "COMPLETED" {
		t.Fatalf("right code: %d %v", status, a)
	}
	// A completed authentication proves nothing a second time.
	status, _, e = c.call(http.MethodPost, authURL, ctOTPCheck, `{"otp":"`+code+`"}`, c.tok)
	if status < 400 || status >= 500 {
		t.Errorf("reuse: %d %v, want a refusal", status, e)
	}
}

// deviceAuthOtherUsersDevice holds that one user's device authentication cannot be turned to
// another user's phone.
func (c *contract) deviceAuthOtherUsersDevice(t *testing.T) {
	authURL, _ := c.startSMSAuth(t, c.tg.UserID, c.tg.Phone)
	devs := c.tg.APIBase + "/environments/" + c.tg.EnvironmentID + "/users/" + c.tg.OtherUserID + "/devices"
	status, _, dev := c.call(http.MethodPost, devs, "application/json", `{"type":"SMS","phone":"`+c.tg.Phone+`"}`, c.tok)
	if status != http.StatusCreated {
		t.Fatalf("create the other user's phone: %d %v", status, dev)
	}
	other := dev["id"].(string)
	defer c.call(http.MethodDelete, devs+"/"+other, "", "", c.tok)
	status, _, e := c.call(http.MethodPost, authURL, ctDeviceSelect, `{"device":{"id":"`+other+`"},"compatibility":"FULL"}`, c.tok)
	if status < 400 || status >= 500 {
		t.Fatalf("selecting another user's device: %d %v, want a refusal", status, e)
	}
	checkErrorShape(t, e)
	if _, _, a := c.call(http.MethodGet, authURL, "", "", c.tok); getPath(a, "selectedDevice", "id") == other || a["status"] == "COMPLETED" {
		t.Errorf("after the refusal: %v", a)
	}
}

// deviceAuthOneTimeEmail sends the code to a one-time email address, masked in the answer.
func (c *contract) deviceAuthOneTimeEmail(t *testing.T) {
	status, _, a := c.call(http.MethodPost, c.deviceAuthsURL(), "application/json",
		`{"user":{"id":"`+c.tg.UserID+`"},"selectedDevice":{"oneTime":{"type":"EMAIL","email":"`+c.tg.Email+`"}}}`, c.tok)
	if status != http.StatusCreated && status != http.StatusOK {
		t.Fatalf("start: %d %v", status, a)
	}
	checkDeviceAuth(t, a, c.tg.UserID)
	if a["status"] != "OTP_REQUIRED" || getPath(a, "selectedDevice", "oneTime", "type") != "EMAIL" {
		t.Fatalf("start: %v", a)
	}
	if strings.Contains(jsonString(a), c.tg.Email) {
		t.Errorf("the answer holds the address unmasked: %v", a)
	}
	if c.tg.ReadEmailCode == nil {
		return
	}
	code := c.tg.ReadEmailCode(c.tg.Email)
	if code == "" {
		t.Fatal("no code emailed")
	}
	authURL := c.deviceAuthsURL() + "/" + a["id"].(string)
	status, _, a = c.call(http.MethodPost, authURL, ctOTPCheck, `{"otp":"`+code+`"}`, c.tok)
	if status != http.StatusOK || a["status"] != "COMPLETED" {
		t.Fatalf("right code: %d %v", status, a)
	}
}

// deviceAuthErrors checks the answers without a token, without a user and for an unknown
// authentication.
func (c *contract) deviceAuthErrors(t *testing.T) {
	status, _, e := c.call(http.MethodPost, c.deviceAuthsURL(), "application/json", `{"user":{"id":"`+c.tg.UserID+`"}}`, "")
	if status != http.StatusUnauthorized {
		t.Errorf("no token: %d %v", status, e)
	}
	status, _, e = c.call(http.MethodPost, c.deviceAuthsURL(), "application/json", `{}`, c.tok)
	if status != http.StatusBadRequest {
		t.Errorf("no user: %d %v", status, e)
	}
	checkErrorShape(t, e)
	status, _, e = c.call(http.MethodGet, c.deviceAuthsURL()+"/00000000-0000-4000-8000-000000000000", "", "", c.tok)
	if status != http.StatusNotFound || e["code"] != "NOT_FOUND" {
		t.Errorf("unknown authentication: %d %v", status, e)
	}
}

func jsonString(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
