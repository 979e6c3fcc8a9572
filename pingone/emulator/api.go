package emulator

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

type detail struct {
	Code       string         `json:"code"`
	Target     string         `json:"target,omitempty"`
	Message    string         `json:"message"`
	InnerError map[string]any `json:"innerError,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeErrorDetails(w, status, code, msg)
}

func writeErrorDetails(w http.ResponseWriter, status int, code, msg string, details ...detail) {
	body := map[string]any{"id": uuid.NewString(), "code": code, "message": msg}
	if len(details) > 0 {
		body["details"] = details
	}
	writeJSON(w, status, body)
}

func invalid(w http.ResponseWriter, dcode, target, msg string) {
	writeErrorDetails(w, http.StatusBadRequest, "INVALID_DATA", "The request could not be completed. One or more validation errors were in the request.",
		detail{Code: dcode, Target: target, Message: msg})
}

// missing answers PingOne's REQUIRED_VALUE for field when absent is true, and reports whether
// it did.
func missing(w http.ResponseWriter, field string, absent bool) bool {
	if absent {
		invalid(w, "REQUIRED_VALUE", field, field+" is required")
	}
	return absent
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return strings.ToLower(mt)
}

// api wraps a management API handler with the bearer-token check: 401 for a missing, forged,
// expired or revoked token, 403 for a token without the admin role.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		var t *accessToken
		if ok {
			t = s.validAccessToken(strings.TrimSpace(raw))
		}
		var app *App
		if t != nil {
			s.mu.Lock()
			app = s.apps[t.ClientID]
			s.mu.Unlock()
		}
		switch {
		case t == nil:
			writeErrorDetails(w, http.StatusUnauthorized, "ACCESS_FAILED", "The request could not be completed. The access token is invalid or has expired.",
				detail{Code: "INVALID_TOKEN", Message: "The access token is invalid or has expired."})
			return
		case app == nil || !app.Worker || !app.Roles:
			writeErrorDetails(w, http.StatusForbidden, "ACCESS_FAILED", "The request could not be completed. You do not have access to this resource.",
				detail{Code: "INSUFFICIENT_PERMISSIONS", Message: "The actor attempting to perform the request does not have the required role."})
			return
		}
		h(w, r)
	}
}

// decodeBody reads a JSON body of the wanted media type, answering 415 or 400 itself.
func decodeBody(w http.ResponseWriter, r *http.Request, wantType string, v any) bool {
	if mediaType(r.Header.Get("Content-Type")) != wantType {
		writeError(w, http.StatusUnsupportedMediaType, "INVALID_REQUEST", "The request content type is not supported.")
		return false
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(strings.TrimSpace(string(data))) == 0 && v == nil {
		return true
	}
	if err != nil || json.Unmarshal(data, v) != nil {
		writeError(w, http.StatusBadRequest, "INVALID_REQUEST", "The request body could not be read as JSON.")
		return false
	}
	return true
}

func (s *Server) apiURL(path string) string {
	return s.APIBase() + "/environments/" + s.envID + path
}

const timeFormat = "2006-01-02T15:04:05.000Z"
