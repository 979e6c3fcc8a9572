package handlers_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/smsmfa/portal/internal/portaltest"
)

// sentEmails reads the emulator's sent emails from the portal's /demo/email page as JSON into
// v, and returns the decoding error; a request that gets no answer fails the test.
func sentEmails(t *testing.T, env *portaltest.Env, v any) error {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.URL+"/demo/email", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
