package pingonetest

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var e164Re = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// checkDevice asserts the shape of a device answer from PingOne's reference pages, since the
// published description leaves device answers untyped: E.164 phone, lock and block objects,
// HAL links, a documented status.
func checkDevice(t *testing.T, dev map[string]any) {
	t.Helper()
	if p, _ := dev["phone"].(string); dev["type"] == "SMS" && !e164Re.MatchString(p) {
		t.Errorf("phone %q is not E.164", p)
	}
	switch dev["status"] {
	case "ACTIVE", "ACTIVATION_REQUIRED":
	default:
		t.Errorf("status %v", dev["status"])
	}
	switch getPath(dev, "lock", "status") {
	case "UNLOCKED":
	case "LOCKED":
		if s, _ := getPath(dev, "lock", "expiresAt").(string); s != "" {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("lock.expiresAt %q: %v", s, err)
			}
		}
	default:
		t.Errorf("lock = %v, want an object with status LOCKED or UNLOCKED", dev["lock"])
	}
	switch getPath(dev, "block", "status") {
	case "UNBLOCKED":
	case "BLOCKED":
		if _, err := time.Parse(time.RFC3339, fmt.Sprint(getPath(dev, "block", "blockedAt"))); err != nil {
			t.Errorf("block.blockedAt: %v", err)
		}
	default:
		t.Errorf("block = %v, want an object with status BLOCKED or UNBLOCKED", dev["block"])
	}
	if _, ok := dev["blocked"]; ok {
		t.Error("a boolean blocked beside the block object")
	}
	for _, link := range []string{"self", "environment", "user"} {
		if h, _ := getPath(dev, "_links", link, "href").(string); !strings.HasPrefix(h, "http") {
			t.Errorf("_links.%s.href = %q", link, h)
		}
	}
	for _, f := range []string{"createdAt", "updatedAt"} {
		s, _ := dev[f].(string)
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			t.Errorf("%s = %q: %v", f, s, err)
		}
	}
}

func (c *contract) deleteDevice(id string) {
	c.call(http.MethodDelete, c.devicesURL()+"/"+id, "", "", c.tok)
}

// seedRequest sends the seed's exact request: type and phone, no status, a worker token.
func (c *contract) seedRequest(t *testing.T) {
	status, _, dev := c.call(http.MethodPost, c.devicesURL(), "application/json",
		`{"type": "SMS", "phone": "`+c.tg.Phone+`"}`, c.tok)
	if status != http.StatusCreated {
		t.Fatalf("seed request answered %d: %v", status, dev)
	}
	defer c.deleteDevice(dev["id"].(string))
	checkDevice(t, dev)
	if id, _ := dev["id"].(string); id == "" {
		t.Error("no id")
	}
	if got := getPath(dev, "environment", "id"); got != c.tg.EnvironmentID {
		t.Errorf("environment.id = %v", got)
	}
	if got := getPath(dev, "user", "id"); got != c.tg.UserID {
		t.Errorf("user.id = %v", got)
	}
	if dev["type"] != "SMS" || dev["status"] != "ACTIVE" {
		t.Errorf("type %v status %v, want SMS ACTIVE (a worker's create defaults to ACTIVE)", dev["type"], dev["status"])
	}
	if p, _ := dev["phone"].(string); p != c.tg.Phone {
		t.Errorf("phone = %q, want %q as sent", p, c.tg.Phone)
	}
}

func (c *contract) seedPhoneFormats(t *testing.T) {
	d := digits(c.tg.Phone)
	if len(d) != 11 || d[0] != '1' {
		t.Skip("the seed's formats are for a NANP number")
	}
	formats := []string{"+1." + d[1:], "+" + d, "+1." + d[1:4] + "." + d[4:7] + "." + d[7:], "+1 (" + d[1:4] + ") " + d[4:7] + "-" + d[7:]}
	for _, f := range formats {
		status, _, dev := c.call(http.MethodPost, c.devicesURL(), "application/json", `{"type":"SMS","phone":"`+f+`"}`, c.tok)
		if status != http.StatusCreated {
			t.Errorf("%q answered %d: %v", f, status, dev)
			continue
		}
		// Whatever separators were sent, the answer carries E.164.
		if dev["phone"] != "+"+d {
			t.Errorf("%q answered phone %v, want +%s", f, dev["phone"], d)
		}
		c.deleteDevice(dev["id"].(string))
	}
}

func (c *contract) activationRequired(t *testing.T) {
	status, _, dev := c.call(http.MethodPost, c.devicesURL(), "application/json",
		`{"type":"SMS","phone":"`+c.tg.Phone+`","status":"ACTIVATION_REQUIRED","nickname":"Contract"}`, c.tok)
	if status != http.StatusCreated || dev["status"] != "ACTIVATION_REQUIRED" {
		t.Fatalf("create with ACTIVATION_REQUIRED: %d %v", status, dev["status"])
	}
	id := dev["id"].(string)
	defer c.deleteDevice(id)
	checkDevice(t, dev)
	if h, _ := getPath(dev, "_links", "activate", "href").(string); h == "" {
		t.Error("no _links.activate on a device awaiting activation")
	}
	status, _, _ = c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.sendActivationCode+json", "", c.tok)
	if status != http.StatusNoContent && status != http.StatusOK {
		t.Errorf("resend: %d, want 204 or 200", status)
	}
	if c.tg.ReadCode == nil {
		return
	}
	code := c.tg.ReadCode(c.tg.Phone)
	length := c.tg.OTPLength
	if length == 0 {
		length = 6
	}
	if len(code) != length || digits(code) != code {
		t.Fatalf("code %q is not %d digits", code, length)
	}
	wrong := strings.Repeat("0", length)
	if code == wrong {
		wrong = strings.Repeat("1", length)
	}
	status, _, e := c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"`+wrong+`"}`, c.tok)
	if status != http.StatusBadRequest || !hasDetail(e, "INVALID_OTP", "otp") {
		t.Errorf("wrong otp: %d %v, want 400 with a detail naming otp", status, e)
	}
	status, _, dev = c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.activate+json", `{"otp":"`+code+`"}`, c.tok)
	if status != http.StatusOK || dev["status"] != "ACTIVE" {
		t.Errorf("right otp: %d %v", status, dev["status"])
	}
	checkDevice(t, dev)
}

func (c *contract) listReadDelete(t *testing.T) {
	var ids []string
	for range 2 {
		status, _, dev := c.call(http.MethodPost, c.devicesURL(), "application/json", `{"type":"SMS","phone":"`+c.tg.Phone+`"}`, c.tok)
		if status != http.StatusCreated {
			t.Fatalf("create: %d", status)
		}
		ids = append(ids, dev["id"].(string))
	}
	defer func() {
		for _, id := range ids {
			c.deleteDevice(id)
		}
	}()
	status, _, list := c.call(http.MethodGet, c.devicesURL(), "", "", c.tok)
	devs, _ := getPath(list, "_embedded", "devices").([]any)
	if status != 200 || len(devs) < 2 {
		t.Fatalf("list: %d, %d devices", status, len(devs))
	}
	for _, d := range devs {
		dm, _ := d.(map[string]any)
		checkDevice(t, dm)
	}
	status, _, _ = c.call(http.MethodPost, c.devicesURL(), "application/vnd.pingidentity.devices.reorder+json",
		`{"order":[{"id":"`+ids[1]+`"},{"id":"`+ids[0]+`"}]}`, c.tok)
	if status != 200 {
		t.Errorf("reorder: %d", status)
	}
	_, _, list = c.call(http.MethodGet, c.devicesURL(), "", "", c.tok)
	devs, _ = getPath(list, "_embedded", "devices").([]any)
	if len(devs) == 0 || devs[0].(map[string]any)["id"] != ids[1] {
		t.Errorf("after reorder the default is not first")
	}
	status, _, dev := c.call(http.MethodPut, c.devicesURL()+"/"+ids[0]+"/nickname", "application/json", `{"nickname":"Work phone"}`, c.tok)
	if status != 200 || dev["nickname"] != "Work phone" {
		t.Errorf("rename: %d %v", status, dev["nickname"])
	}
	status, _, dev = c.call(http.MethodGet, c.devicesURL()+"/"+ids[0], "", "", c.tok)
	if status != 200 || dev["id"] != ids[0] {
		t.Errorf("read: %d", status)
	}
	status, _, _ = c.call(http.MethodDelete, c.devicesURL()+"/"+ids[0], "", "", c.tok)
	if status != http.StatusNoContent {
		t.Errorf("delete: %d, want 204", status)
	}
	status, _, e := c.call(http.MethodGet, c.devicesURL()+"/"+ids[0], "", "", c.tok)
	if status != 404 || e["code"] != "NOT_FOUND" {
		t.Errorf("read deleted: %d %v", status, e["code"])
	}
	checkErrorShape(t, e)
}

func (c *contract) create(t *testing.T, status string) (int, map[string]any) {
	t.Helper()
	body := `{"type":"SMS","phone":"` + c.tg.Phone + `"`
	if status != "" {
		body += `,"status":"` + status + `"`
	}
	st, _, m := c.call(http.MethodPost, c.devicesURL(), "application/json", body+"}", c.tok)
	return st, m
}

// deviceLimit: maxAllowedDevices counts ACTIVE and BLOCKED devices only, and the answer past
// it is the documented 400 REQUEST_FAILED / LIMIT_EXCEEDED with innerError.maximumAllowed.
func (c *contract) deviceLimit(t *testing.T) {
	var ids []string
	defer func() {
		for _, id := range ids {
			c.deleteDevice(id)
		}
	}()
	status, dev := c.create(t, "ACTIVATION_REQUIRED")
	if status != http.StatusCreated {
		t.Fatalf("create awaiting activation: %d", status)
	}
	ids = append(ids, dev["id"].(string))
	for i := 0; i < c.tg.DeviceLimit; i++ {
		status, dev := c.create(t, "")
		if status != http.StatusCreated {
			t.Fatalf("create %d of %d active (a device awaiting activation must not count): %d %v", i+1, c.tg.DeviceLimit, status, dev)
		}
		ids = append(ids, dev["id"].(string))
	}
	status, e := c.create(t, "")
	if status != 400 || e["code"] != "REQUEST_FAILED" || !hasDetail(e, "LIMIT_EXCEEDED", "") {
		t.Fatalf("over the limit: %d %v", status, e)
	}
	checkErrorShape(t, e)
	ds, _ := e["details"].([]any)
	d0, _ := ds[0].(map[string]any)
	if n, _ := getPath(d0, "innerError", "maximumAllowed").(float64); int(n) != c.tg.DeviceLimit {
		t.Errorf("innerError.maximumAllowed = %v, want %d", getPath(d0, "innerError", "maximumAllowed"), c.tg.DeviceLimit)
	}
	if m, _ := d0["message"].(string); m != "Maximum allowed devices has been reached" {
		t.Errorf("message %q", m)
	}
}

// blockAndUnblock: a blocked device carries block.status BLOCKED and blockedAt, in the answer
// and when read again; unblocking clears it.
func (c *contract) blockAndUnblock(t *testing.T) {
	status, dev := c.create(t, "")
	if status != http.StatusCreated {
		t.Fatalf("create: %d", status)
	}
	id := dev["id"].(string)
	defer c.deleteDevice(id)
	status, _, dev = c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.block+json", "", c.tok)
	if status != 200 {
		t.Fatalf("block: %d %v", status, dev)
	}
	_, _, dev = c.call(http.MethodGet, c.devicesURL()+"/"+id, "", "", c.tok)
	checkDevice(t, dev)
	if getPath(dev, "block", "status") != "BLOCKED" {
		t.Errorf("after block: block = %v", dev["block"])
	}
	status, _, _ = c.call(http.MethodPost, c.devicesURL()+"/"+id, "application/vnd.pingidentity.device.unblock+json", "", c.tok)
	if status != 200 {
		t.Fatalf("unblock: %d", status)
	}
	_, _, dev = c.call(http.MethodGet, c.devicesURL()+"/"+id, "", "", c.tok)
	if getPath(dev, "block", "status") != "UNBLOCKED" {
		t.Errorf("after unblock: block = %v", dev["block"])
	}
}
