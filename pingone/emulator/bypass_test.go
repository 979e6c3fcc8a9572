package emulator_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smsmfa/portal/pingone/emulator"
	"github.com/smsmfa/portal/pingone/pingonetest"
)

// putBypass sets the fixture user's bypassMFA end through the management API, as the portal
// does.
func (f *oidcFixture) putBypass(t *testing.T, until time.Time) {
	t.Helper()
	f.s.AddApp(emulator.App{ClientID: "worker", ClientSecret: "worker-secret", Worker: true, Roles: true})
	tok := pingonetest.WorkerToken(t, f.s, "worker", "worker-secret")
	req, _ := http.NewRequest(http.MethodPut, f.s.APIBase()+"/environments/"+f.s.EnvironmentID()+"/users/"+f.userID+"/bypassMFA",
		strings.NewReader(`{"bypassMFAEnabledUntil":"`+until.UTC().Format("2006-01-02T15:04:05.000Z")+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	if status, _, body := doJSON(t, http.DefaultClient, req); status != http.StatusOK {
		t.Fatalf("PUT bypassMFA: %d %v", status, body)
	}
}

// amrOf signs ada in under the MFA policy and returns the ID token's amr and how many texts
// the sign-in sent.
func (f *oidcFixture) amrOf(t *testing.T) ([]string, int) {
	t.Helper()
	before := len(f.s.Outbox())
	q, msg := f.signIn(t, f.authorize(t, url.Values{"acr_values": {"Multi_Factor"}, "prompt": {"login"}}), "pw")
	if q == nil {
		t.Fatalf("sign-in refused: %s", msg)
	}
	status, tok := f.exchange(t, q.Get("code"), "verifier-verifier-verifier-verifier-43", true)
	if status != http.StatusOK {
		t.Fatalf("exchange: %d %v", status, tok)
	}
	parts := strings.Split(tok["id_token"].(string), ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		AMR []string `json:"amr"`
		ACR string   `json:"acr"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.ACR != "Multi_Factor" {
		t.Errorf("acr %q, want the policy that ran, Multi_Factor", claims.ACR)
	}
	return claims.AMR, len(f.s.Outbox()) - before
}

// TestBypassMFAHonouredAtSignIn shows the emulator's sign-in honouring bypassMFA as PingOne
// does: while it lasts the MFA policy asks for the password alone (no code texted, amr only
// "pwd"); once it ends (an end in the past) the code is asked for again.
func TestBypassMFAHonouredAtSignIn(t *testing.T) {
	clock := &pingonetest.Clock{}
	f := newOIDCWith(t, emulator.Options{Now: clock.Now})

	amr, texts := f.amrOf(t)
	if !slices.Contains(amr, "otp") || texts != 1 {
		t.Fatalf("without a bypass: amr %v, %d texts; want a texted code", amr, texts)
	}

	f.putBypass(t, clock.Now().Add(time.Hour))
	if got := f.s.BypassUntil(f.userID); got.IsZero() {
		t.Fatal("the bypass was not kept")
	}
	amr, texts = f.amrOf(t)
	if !slices.Equal(amr, []string{"pwd"}) || texts != 0 {
		t.Fatalf("during the bypass: amr %v, %d texts; want [pwd] and none", amr, texts)
	}

	clock.Advance(time.Hour + time.Second)
	if amr, texts = f.amrOf(t); !slices.Contains(amr, "otp") || texts != 1 {
		t.Fatalf("after the bypass's end: amr %v, %d texts; want a texted code again", amr, texts)
	}

	f.putBypass(t, clock.Now().Add(time.Hour))
	f.putBypass(t, clock.Now().Add(-time.Second))
	if amr, texts = f.amrOf(t); !slices.Contains(amr, "otp") || texts != 1 {
		t.Fatalf("after ending the bypass early: amr %v, %d texts; want a texted code", amr, texts)
	}
}
