package form

import "net/http"

// CSRFToken is the form token every state-changing form carries (its "csrf" field), checked
// against the session by the handlers' csrf middleware.
func CSRFToken(r *http.Request) string { return r.FormValue("csrf") }
