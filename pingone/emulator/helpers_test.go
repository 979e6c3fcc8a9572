package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// doJSON sends req with hc and returns the answer's status, header and JSON object (nil when
// the body is not one); a request that gets no answer fails the test.
func doJSON(t *testing.T, hc *http.Client, req *http.Request) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, resp.Header, out
}
