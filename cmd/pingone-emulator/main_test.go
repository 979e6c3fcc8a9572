package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/smsmfa/portal/testkit/portaltest"
)

// startCommand runs the command on a free port and returns its banner, by name.
func startCommand(t *testing.T, args ...string) map[string]string {
	t.Helper()
	banner, _ := portaltest.StartCommand(t, "helpdesk-group-id", func(ctx context.Context, stdout io.Writer) error {
		return run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), stdout, io.Discard)
	})
	return banner
}

func getJSON(t *testing.T, req *http.Request, out any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s: content type %q", req.Method, req.URL, ct)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
	}
	return resp.StatusCode
}

func TestRun(t *testing.T) {
	const callback = "http://127.0.0.1:8080/auth/callback"
	b := startCommand(t, "-redirect", callback)
	for _, name := range []string{"pingone-auth", "pingone-api", "environment-id", "worker-client-id", "worker-client-secret",
		"web-client-id", "web-client-secret", "employee", "helpdesk", "helpdesk-phone", "helpdesk-group-id"} {
		if b[name] == "" {
			t.Errorf("banner lacks %s: %v", name, b)
		}
	}
	if _, ok := b["portal"]; ok {
		t.Error("the emulator's banner has a portal line")
	}
	auth, api, env := b["pingone-auth"], b["pingone-api"], b["environment-id"]
	if !strings.HasPrefix(auth, "http://127.0.0.1:") || api != auth+"/v1" {
		t.Fatalf("bases %q %q", auth, api)
	}

	// A worker token with the printed credentials.
	form := url.Values{"grant_type": {"client_credentials"}}
	req, _ := http.NewRequest(http.MethodPost, auth+"/"+env+"/as/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(b["worker-client-id"], b["worker-client-secret"])
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if status := getJSON(t, req, &tok); status != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("worker token: %d", status)
	}
	call := func(method, u, body string, out any) int {
		req, _ := http.NewRequest(method, u, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return getJSON(t, req, out)
	}

	// The seed: hank is in the printed help-desk group with one active phone; erin has none.
	userID := func(username string) string {
		var page struct {
			Embedded struct {
				Users []struct {
					ID    string `json:"id"`
					Email string `json:"email"`
				} `json:"users"`
			} `json:"_embedded"`
		}
		call(http.MethodGet, api+"/environments/"+env+"/users?filter="+url.QueryEscape(`username eq "`+username+`"`), "", &page)
		if len(page.Embedded.Users) != 1 {
			t.Fatalf("user %s: %+v", username, page)
		}
		return page.Embedded.Users[0].ID
	}
	hank := userID(strings.Fields(b["helpdesk"])[0])
	erin := userID(strings.Fields(b["employee"])[0])
	var user struct {
		Groups []string `json:"memberOfGroupIDs"`
	}
	call(http.MethodGet, api+"/environments/"+env+"/users/"+hank+"?include=memberOfGroupIDs", "", &user)
	if len(user.Groups) != 1 || user.Groups[0] != b["helpdesk-group-id"] {
		t.Errorf("hank's groups %v, want [%s]", user.Groups, b["helpdesk-group-id"])
	}
	var devs struct {
		Embedded struct {
			Devices []struct {
				Status string `json:"status"`
			} `json:"devices"`
		} `json:"_embedded"`
	}
	call(http.MethodGet, api+"/environments/"+env+"/users/"+hank+"/devices", "", &devs)
	if len(devs.Embedded.Devices) != 1 || devs.Embedded.Devices[0].Status != "ACTIVE" {
		t.Errorf("hank's devices %+v, want one active", devs)
	}
	call(http.MethodGet, api+"/environments/"+env+"/users/"+erin+"/devices", "", &devs)
	if len(devs.Embedded.Devices) != 0 {
		t.Errorf("erin's devices %+v, want none", devs)
	}

	// A text to hank's phone and an email to erin's address, read back from the outboxes.
	if status := call(http.MethodPost, auth+"/"+env+"/deviceAuthentications", `{"user":{"id":"`+hank+`"}}`, &map[string]any{}); status != http.StatusCreated {
		t.Fatalf("device authentication for hank: %d", status)
	}
	if status := call(http.MethodPost, auth+"/"+env+"/deviceAuthentications",
		`{"user":{"id":"`+erin+`"},"selectedDevice":{"oneTime":{"type":"EMAIL","email":"erin.employee@example.com"}}}`, &map[string]any{}); status != http.StatusCreated {
		t.Fatalf("email authentication for erin: %d", status)
	}
	var sms []struct{ To, Text, Code, SentAt string }
	req, _ = http.NewRequest(http.MethodGet, auth+"/demo/sms", nil)
	if status := getJSON(t, req, &sms); status != http.StatusOK || len(sms) != 1 || sms[0].To != b["helpdesk-phone"] || len(sms[0].Code) != 6 || sms[0].SentAt == "" {
		t.Errorf("/demo/sms: %d %+v", status, sms)
	}
	var mail []struct{ To, Subject, Text, Code, SentAt string }
	req, _ = http.NewRequest(http.MethodGet, auth+"/demo/email", nil)
	if status := getJSON(t, req, &mail); status != http.StatusOK || len(mail) != 1 || mail[0].To != "erin.employee@example.com" || len(mail[0].Code) != 6 {
		t.Errorf("/demo/email: %d %+v", status, mail)
	}

	// The web app knows the callback and nothing else.
	authorize := func(redirect string) int {
		q := url.Values{"client_id": {b["web-client-id"]}, "redirect_uri": {redirect}, "response_type": {"code"}, "scope": {"openid"},
			"state": {"s"}, "nonce": {"n"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Get(auth + "/" + env + "/as/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status := authorize(callback); status != http.StatusOK {
		t.Errorf("sign-in with the registered callback: %d", status)
	}
	if status := authorize("http://127.0.0.1:9999/auth/callback"); status != http.StatusBadRequest {
		t.Errorf("sign-in with another callback: %d, want 400", status)
	}
}

func TestRunRefuses(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"relative redirect", []string{"-redirect", "/auth/callback"}},
		{"other scheme", []string{"-redirect", "ftp://example.com/cb"}},
		{"stray argument", []string{"extra"}},
		{"bad address", []string{"-listen", "256.0.0.1:nope"}},
		{"unknown SMS policy", []string{"-sms", "sometimes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			err := run(context.Background(), append([]string{"-listen", "127.0.0.1:0"}, tc.args...), &out, io.Discard)
			if err == nil {
				t.Fatal("run accepted it")
			}
			if out.Len() != 0 {
				t.Errorf("a banner was printed: %q", out.String())
			}
		})
	}
}

// TestRunSMSOff: -sms off starts the emulator with SMS off in its default MFA policy, as a new
// PingOne environment has it; a portal pointed at it shows its phase-out pages.
func TestRunSMSOff(t *testing.T) {
	b := startCommand(t, "-sms", "off")
	tok := struct {
		AccessToken string `json:"access_token"`
	}{}
	req, _ := http.NewRequest(http.MethodPost, b["pingone-auth"]+"/"+b["environment-id"]+"/as/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(b["worker-client-id"], b["worker-client-secret"])
	if st := getJSON(t, req, &tok); st != http.StatusOK {
		t.Fatalf("worker token: %d", st)
	}
	req, _ = http.NewRequest(http.MethodGet, b["pingone-api"]+"/environments/"+b["environment-id"]+"/deviceAuthenticationPolicies", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	var page struct {
		Embedded struct {
			Policies []struct {
				SMS struct {
					Enabled bool `json:"enabled"`
				} `json:"sms"`
			} `json:"deviceAuthenticationPolicies"`
		} `json:"_embedded"`
	}
	if st := getJSON(t, req, &page); st != http.StatusOK || len(page.Embedded.Policies) != 1 || page.Embedded.Policies[0].SMS.Enabled {
		t.Fatalf("policies: %d %+v, want one with SMS off", st, page)
	}
}
