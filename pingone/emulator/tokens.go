package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// App is an application registered in the environment: a worker (client credentials) or a
// web application (authorization code).
type App struct {
	ClientID     string
	ClientSecret string
	// Worker apps get client-credentials tokens; Roles says whether the worker holds the
	// Identity Data Admin role (without it the management API answers 403).
	Worker bool
	Roles  bool
	// TokenAuthMethod is the app's token endpoint authentication method:
	// "client_secret_basic" (the default when empty) or "client_secret_post". The token
	// endpoint refuses the other with invalid_client, as PingOne does.
	TokenAuthMethod string
	// RedirectURIs and PostLogoutRedirectURIs are the web app's registered URIs.
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
}

// accessToken is what the emulator remembers of an access token it issued (a JWT), by its
// jti: enough to refuse it once it has been made to expire.
type accessToken struct {
	ClientID string
	Subject  string // user ID for user tokens, "" for workers
	Scope    string
	Expiry   time.Time
}

// AddApp registers an application.
func (s *Server) AddApp(a App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := a
	c.RedirectURIs = slices.Clone(a.RedirectURIs)
	c.PostLogoutRedirectURIs = slices.Clone(a.PostLogoutRedirectURIs)
	s.apps[a.ClientID] = &c
}

// TokenRequests returns how many client-credentials tokens have been issued or refused.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// ExpireTokens makes every access token issued so far expire now.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.Expiry = s.now().Add(-time.Second)
	}
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	id, secret, basic := r.BasicAuth()
	method := "client_secret_basic"
	if basic {
		// RFC 6749 2.3.1: client_secret_basic credentials are form-urlencoded first.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		method = "client_secret_post"
	}
	grant := r.PostForm.Get("grant_type")
	s.mu.Lock()
	if grant == "client_credentials" {
		s.tokenRequests++
	}
	app := s.apps[id]
	s.mu.Unlock()
	if app == nil || subtle.ConstantTimeCompare([]byte(app.ClientSecret), []byte(secret)) != 1 || method != app.authMethod() {
		// PingOne accepts only the app's configured tokenEndpointAuthMethod; another one is a
		// failed client authentication like a wrong secret.
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	switch grant {
	case "client_credentials":
		if !app.Worker {
			tokenError(w, http.StatusBadRequest, "unauthorized_client", "the client may not use client_credentials")
			return
		}
		tok := s.issueAccessToken(app.ClientID, "", "")
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(s.opts.TokenLifetime.Seconds())})
	case "authorization_code":
		s.exchangeCode(w, r, app)
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type")
	}
}

// authMethod is the app's token endpoint authentication method.
func (a *App) authMethod() string {
	if a.TokenAuthMethod == "" {
		return "client_secret_basic"
	}
	return a.TokenAuthMethod
}

// issueAccessToken mints a JWT, as PingOne does (RS256 with the environment's key; kid in the
// header), and remembers its jti so that the emulator can expire or revoke it.
func (s *Server) issueAccessToken(clientID, subject, scope string) string {
	now := s.now()
	jti := uuid.NewString()
	claims := map[string]any{
		"iss": s.issuerURL(), "aud": []string{s.url}, "client_id": clientID,
		"env": s.envID, "jti": jti, "iat": now.Unix(), "exp": now.Add(s.opts.TokenLifetime).Unix(),
	}
	if subject != "" {
		claims["sub"] = subject
	}
	if scope != "" {
		claims["scope"] = scope
	}
	tok, err := s.sign(claims)
	if err != nil {
		// An RSA signature with a key the emulator made itself does not fail.
		panic(fmt.Sprintf("emulator: signing an access token: %v", err))
	}
	s.mu.Lock()
	s.tokens[jti] = &accessToken{ClientID: clientID, Subject: subject, Scope: scope, Expiry: now.Add(s.opts.TokenLifetime)}
	s.mu.Unlock()
	return tok
}

// validAccessToken checks an access token's signature, issuer and expiry, and that the
// emulator issued it and has not expired or revoked it since; nil means refused.
func (s *Server) validAccessToken(raw string) *accessToken {
	claims, ok := s.verifyJWT(raw)
	if !ok || claims["iss"] != s.issuerURL() || claims["env"] != s.envID {
		return nil
	}
	jti, _ := claims["jti"].(string)
	exp, _ := claims["exp"].(float64)
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[jti]
	if t == nil || !s.now().Before(t.Expiry) || !s.now().Before(time.Unix(int64(exp), 0)) {
		return nil
	}
	c := *t
	return &c
}

func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request, app *App) {
	s.mu.Lock()
	c := s.codes[r.PostForm.Get("code")]
	valid := c != nil && !c.used && s.now().Before(c.expiry) && c.req.ClientID == app.ClientID
	if c != nil {
		c.used = true
	}
	var u *user
	if valid {
		u = s.users[c.userID]
	}
	s.mu.Unlock()
	switch {
	case !valid || u == nil:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "the authorization code is invalid, expired or already used")
		return
	case r.PostForm.Get("redirect_uri") != c.req.RedirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match")
		return
	case subtle.ConstantTimeCompare([]byte(pkceChallenge(r.PostForm.Get("code_verifier"))), []byte(c.req.Challenge)) != 1:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	now := s.now()
	claims := map[string]any{
		"iss": s.issuerURL(), "sub": u.ID, "aud": app.ClientID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"auth_time": c.authTime.Unix(), "acr": c.acr, "amr": c.amr, "sid": uuid.NewString(),
		"preferred_username": u.Username, "given_name": u.Given, "family_name": u.Family,
		"name": strings.TrimSpace(u.Given + " " + u.Family), "env": s.envID,
	}
	if c.req.Nonce != "" {
		claims["nonce"] = c.req.Nonce
	}
	if s.opts.OmitAuthTime {
		delete(claims, "auth_time")
	}
	if u.Email != "" {
		claims["email"] = u.Email
	}
	idToken, err := s.sign(claims)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	tok := s.issueAccessToken(app.ClientID, u.ID, c.req.Scope)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int(s.opts.TokenLifetime.Seconds()), "scope": c.req.Scope, "id_token": idToken})
}
