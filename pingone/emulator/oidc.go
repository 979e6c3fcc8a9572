package emulator

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
)

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

type authRequest struct {
	ClientID, RedirectURI, State, Nonce, Challenge, Scope, Prompt, LoginHint, ACR string
	// Lang is the language the sign-in pages speak, the first of ui_locales they know.
	Lang    string
	MaxAge  int // -1: none
	Created time.Time
	// The second step of an MFA sign-on policy: the user who passed the password, and the
	// code texted to their default SMS device.
	mfaUser   string
	mfaCode   string
	mfaExpiry time.Time
	mfaTries  int
}

type authCode struct {
	req      authRequest
	userID   string
	authTime time.Time
	acr      string
	amr      []string
	expiry   time.Time
	used     bool
}

type ssoSession struct {
	userID   string
	authTime time.Time
	acr      string
	amr      []string
}

// RotateSigningKey makes a new RSA key sign ID tokens from now on. The previous key stays in
// the JWKS, as in a real rotation, so tokens it signed still verify.
func (s *Server) RotateSigningKey() error {
	k, err := rsa.GenerateKey(randReader{}, 2048)
	if err != nil {
		return fmt.Errorf("pingonetest: signing key: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = append([]*signingKey{{id: uuid.NewString(), key: k}}, s.keys...)
	if len(s.keys) > 2 {
		s.keys = s.keys[:2]
	}
	return nil
}

func (s *Server) issuerURL() string { return s.Issuer() }

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	iss := s.issuerURL()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"userinfo_endpoint":                     iss + "/userinfo",
		"jwks_uri":                              iss + "/jwks",
		"end_session_endpoint":                  iss + "/signoff",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "client_credentials"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "preferred_username", "name", "given_name", "family_name", "email"},
		"acr_values_supported":                  []string{"Single_Factor", "Multi_Factor"},
	})
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range s.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.key.PublicKey, KeyID: k.id, Algorithm: "RS256", Use: "sig"})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

// redirectError sends an OAuth error back to a client's (already validated) redirect URI.
func redirectError(w http.ResponseWriter, r *http.Request, req authRequest, code, desc string) {
	u, _ := url.Parse(req.RedirectURI)
	q := u.Query()
	q.Set("error", code)
	q.Set("error_description", desc)
	if req.State != "" {
		q.Set("state", req.State)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (s *Server) sessionCookieName() string { return "ST-" + s.envID[:8] }

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := authRequest{ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"), State: q.Get("state"),
		Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge"), Scope: q.Get("scope"), Prompt: q.Get("prompt"),
		LoginHint: q.Get("login_hint"), MaxAge: -1, Created: s.now(), Lang: pageLanguage(q.Get("ui_locales"))}
	if acr := strings.Fields(q.Get("acr_values")); len(acr) > 0 {
		req.ACR = acr[0]
	}
	s.mu.Lock()
	app := s.apps[req.ClientID]
	s.mu.Unlock()
	if app == nil || app.Worker || !slices.Contains(app.RedirectURIs, req.RedirectURI) {
		// An unknown client or unregistered redirect URI must never be redirected to.
		s.renderPage(w, http.StatusBadRequest, pageData{Title: "Sign-in error", Error: "The application or its redirect URI is not registered."})
		return
	}
	switch {
	case q.Get("response_type") != "code":
		redirectError(w, r, req, "unsupported_response_type", "response_type must be code")
		return
	case !slices.Contains(strings.Fields(req.Scope), "openid"):
		redirectError(w, r, req, "invalid_scope", "scope must include openid")
		return
	case req.Challenge == "" || q.Get("code_challenge_method") != "S256":
		redirectError(w, r, req, "invalid_request", "PKCE with code_challenge_method S256 is required")
		return
	}
	if ma := q.Get("max_age"); ma != "" {
		n, err := strconv.Atoi(ma)
		if err != nil || n < 0 {
			redirectError(w, r, req, "invalid_request", "max_age must be a non-negative integer")
			return
		}
		req.MaxAge = n
	}
	if req.Prompt != "login" {
		if c, err := r.Cookie(s.sessionCookieName()); err == nil {
			s.mu.Lock()
			sess := s.sessions[c.Value]
			var u *user
			if sess != nil {
				u = s.users[sess.userID]
			}
			s.mu.Unlock()
			fresh := sess != nil && (req.MaxAge < 0 || s.now().Sub(sess.authTime) <= time.Duration(req.MaxAge)*time.Second)
			acrOK := sess != nil && (req.ACR == "" || req.ACR == sess.acr)
			if fresh && acrOK && u != nil && u.Enabled {
				s.finishAuthorize(w, r, req, sess.userID, sess.authTime, sess.acr, sess.amr)
				return
			}
		}
	}
	flow := randomToken(16)
	s.mu.Lock()
	s.flows[flow] = &req
	s.mu.Unlock()
	s.renderPage(w, http.StatusOK, pageData{Lang: req.Lang, Title: "Sign in", Flow: flow, Username: req.LoginHint, Action: r.URL.Path})
}

func (s *Server) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderPage(w, http.StatusBadRequest, pageData{Title: "Sign-in error", Error: "The form could not be read."})
		return
	}
	flow := r.PostForm.Get("flow")
	if r.PostForm.Has("otp") {
		s.authorizeOTP(w, r, flow)
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	s.mu.Lock()
	req := s.flows[flow]
	var found *user
	for _, u := range s.users {
		if strings.EqualFold(u.Username, username) {
			found = u
		}
	}
	s.mu.Unlock()
	if req == nil || s.now().Sub(req.Created) > 30*time.Minute {
		s.renderPage(w, http.StatusBadRequest, pageData{Title: "Sign-in error", Error: "This sign-in has expired. Go back to the application and start again."})
		return
	}
	if found == nil || found.Password == "" || subtle.ConstantTimeCompare([]byte(found.Password), []byte(r.PostForm.Get("password"))) != 1 {
		s.renderPage(w, http.StatusOK, pageData{Lang: req.Lang, Title: "Sign in", Flow: flow, Username: username, Action: r.URL.Path,
			Error: "The username or password is not correct."})
		return
	}
	if !found.Enabled {
		s.renderPage(w, http.StatusOK, pageData{Title: "Sign in", Flow: flow, Username: username, Action: r.URL.Path,
			Error: "This account is disabled. Contact your administrator."})
		return
	}
	if s.isMFAPolicy(req.ACR) && !s.opts.SkipSecondFactor && !s.bypassing(found.ID) {
		s.startMFA(w, r, flow, req, found)
		return
	}
	s.completeSignIn(w, r, flow, req, found.ID, []string{"pwd"})
}

func (s *Server) isMFAPolicy(acr string) bool {
	return acr != "" && slices.Contains(s.opts.MFAPolicies, acr)
}

// startMFA texts a code to the user's default active SMS device and asks for it.
func (s *Server) startMFA(w http.ResponseWriter, r *http.Request, flow string, req *authRequest, u *user) {
	s.mu.Lock()
	var dev *device
	for _, d := range s.devices[u.ID] {
		if d.Type == "SMS" && d.Status == "ACTIVE" {
			dev = d
			break
		}
	}
	if dev == nil {
		s.mu.Unlock()
		s.renderPage(w, http.StatusOK, pageData{Title: "Sign-in error", Error: "This sign-in needs a code from an MFA device, and this account has none."})
		return
	}
	req.mfaUser, req.mfaCode, req.mfaExpiry, req.mfaTries = u.ID, randomDigits(s.defaultPolicy().SMS.OTPLength), s.now().Add(5*time.Minute), 0
	s.outbox = append(s.outbox, SMS{To: dev.Phone, Code: req.mfaCode, SentAt: s.now().UTC(), Text: "Your sign-in code is " + req.mfaCode + "."})
	masked := maskTail(dev.Phone)
	s.mu.Unlock()
	s.renderPage(w, http.StatusOK, pageData{Lang: req.Lang, Title: "Enter your sign-in code", Flow: flow, Action: r.URL.Path, OTP: true,
		Message: "We texted a code to your phone ending {masked}.", Masked: masked})
}

// authorizeOTP checks the texted code of an MFA sign-in.
func (s *Server) authorizeOTP(w http.ResponseWriter, r *http.Request, flow string) {
	s.mu.Lock()
	req := s.flows[flow]
	ok := req != nil && req.mfaUser != "" && s.now().Before(req.mfaExpiry) && req.mfaTries < 3
	right := ok && subtle.ConstantTimeCompare([]byte(req.mfaCode), []byte(strings.TrimSpace(r.PostForm.Get("otp")))) == 1
	if ok && !right {
		req.mfaTries++
		s.record(r, req.mfaUser, ActivityWrongCode, "Wrong sign-in code", "FAILED")
	}
	s.mu.Unlock()
	switch {
	case !ok:
		s.renderPage(w, http.StatusBadRequest, pageData{Title: "Sign-in error", Error: "This sign-in has expired or had too many wrong codes. Go back to the application and start again."})
	case !right:
		s.renderPage(w, http.StatusOK, pageData{Lang: req.Lang, Title: "Enter your sign-in code", Flow: flow, Action: r.URL.Path, OTP: true, Error: "That code is not correct."})
	default:
		s.completeSignIn(w, r, flow, req, req.mfaUser, amrPasswordAndSMS)
	}
}

// amrPasswordAndSMS is the amr of a sign-in with the password and a texted code.
// UNVERIFIED: PingOne's reference pages say acr names the sign-on policy that ran but list no
// amr values; these are RFC 8176's ("pwd" password, "otp" one-time code, "mfa" more than one
// factor), and a password-only sign-in says ["pwd"]. A portal should read amr leniently.
var amrPasswordAndSMS = []string{"pwd", "otp", "mfa"}

// completeSignIn starts the SSO session and sends the code back to the application.
func (s *Server) completeSignIn(w http.ResponseWriter, r *http.Request, flow string, req *authRequest, userID string, amr []string) {
	acr := req.ACR
	if acr == "" {
		acr = "Single_Factor"
	}
	if s.opts.ForceACR != "" {
		acr = s.opts.ForceACR
	}
	now := s.now()
	sid := randomToken(16)
	s.mu.Lock()
	delete(s.flows, flow)
	s.sessions[sid] = &ssoSession{userID: userID, authTime: now, acr: acr, amr: amr}
	s.record(r, userID, ActivitySignIn, "Signed on with "+strings.Join(amr, " "), "SUCCESS")
	if u := s.users[userID]; u != nil {
		u.LastSignOn = now
	}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: sid, Path: "/" + s.envID + "/as", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	s.finishAuthorize(w, r, *req, userID, now, acr, amr)
}

func (s *Server) finishAuthorize(w http.ResponseWriter, r *http.Request, req authRequest, userID string, authTime time.Time, acr string, amr []string) {
	code := randomToken(24)
	s.mu.Lock()
	s.codes[code] = &authCode{req: req, userID: userID, authTime: authTime, acr: acr, amr: amr, expiry: s.now().Add(time.Minute)}
	s.mu.Unlock()
	u, _ := url.Parse(req.RedirectURI)
	q := u.Query()
	q.Set("code", code)
	if req.State != "" {
		q.Set("state", req.State)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
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
		panic(fmt.Sprintf("pingonetest: signing an access token: %v", err))
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

func (s *Server) sign(claims map[string]any) (string, error) {
	s.mu.Lock()
	k := s.keys[0]
	s.mu.Unlock()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.id))
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// verifyIDToken checks an ID token the emulator signed (expired ones too: signoff accepts them).
func (s *Server) verifyIDToken(raw string) (map[string]any, bool) {
	claims, ok := s.verifyJWT(raw)
	return claims, ok && claims["iss"] == s.issuerURL()
}

// verifyJWT checks a JWT's signature against the emulator's keys, not its claims.
func (s *Server) verifyJWT(raw string) (map[string]any, bool) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	keys := slices.Clone(s.keys)
	s.mu.Unlock()
	for _, k := range keys {
		var claims map[string]any
		if tok.Claims(&k.key.PublicKey, &claims) == nil {
			return claims, true
		}
	}
	return nil, false
}

func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	t := s.validAccessToken(tok)
	var u *user
	s.mu.Lock()
	if t != nil && t.Subject != "" {
		u = s.users[t.Subject]
	}
	s.mu.Unlock()
	if u == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	out := map[string]any{"sub": u.ID, "preferred_username": u.Username, "given_name": u.Given, "family_name": u.Family,
		"name": strings.TrimSpace(u.Given + " " + u.Family)}
	if u.Email != "" {
		out["email"] = u.Email
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) signoff(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if c, err := r.Cookie(s.sessionCookieName()); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: "", Path: "/" + s.envID + "/as", MaxAge: -1, HttpOnly: true})
	target := q.Get("post_logout_redirect_uri")
	if target != "" {
		claims, ok := s.verifyIDToken(q.Get("id_token_hint"))
		var app *App
		if ok {
			aud, _ := claims["aud"].(string)
			s.mu.Lock()
			app = s.apps[aud]
			s.mu.Unlock()
		}
		if app == nil || !slices.Contains(app.PostLogoutRedirectURIs, target) {
			s.renderPage(w, http.StatusBadRequest, pageData{Title: "Signed out", Error: "You are signed out, but the application's return address is not registered."})
			return
		}
		u, _ := url.Parse(target)
		uq := u.Query()
		if st := q.Get("state"); st != "" {
			uq.Set("state", st)
		}
		u.RawQuery = uq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	s.renderPage(w, http.StatusOK, pageData{Title: "Signed out", Message: "You are signed out."})
}

type pageData struct {
	Title, Flow, Username, Action, Error, Message string
	// Lang is the page's language ("" for English); Masked fills {masked} in Message.
	Lang, Masked string
	// OTP asks for the texted code of an MFA sign-on policy instead of the password.
	OTP bool
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{"tr": tr, "masked": func(m, s string) string { return strings.ReplaceAll(s, "{masked}", "\u2066"+m+"\u2069") }}).Parse(`<!doctype html>
<html lang="{{if .Lang}}{{.Lang}}{{else}}en{{end}}" dir="{{if eq .Lang "ar"}}rtl{{else}}ltr{{end}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{tr .Lang .Title}} · PingOne (emulator)</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}
main{max-width:24rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0003}
h1{font-size:1.4rem;margin-top:0}label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{box-sizing:border-box;width:100%;padding:.6rem;font-size:1rem;border:1px solid #6b7280;border-radius:4px}
button{margin-top:1.25rem;width:100%;padding:.7rem;font-size:1rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;cursor:pointer}
.err{color:#a4161a;font-weight:600}.note{color:#4b5563;font-size:.875rem}
</style></head><body><main>
<h1>{{tr .Lang .Title}}</h1>
<p class="note">{{tr .Lang "PingOne emulator: no real account is used here."}}</p>
{{if .Error}}<p class="err" role="alert" id="err">{{tr .Lang .Error}}</p>{{end}}
{{if .Message}}<p>{{tr .Lang .Message | masked .Masked}}</p>{{end}}
{{if and .Flow .OTP}}<form method="post" action="{{.Action}}">
<input type="hidden" name="flow" value="{{.Flow}}">
<label for="otp">{{tr .Lang "Sign-in code"}}</label>
<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required{{if .Error}} aria-describedby="err" aria-invalid="true"{{end}}>
<button type="submit">{{tr .Lang "Continue"}}</button>
</form>{{else if .Flow}}<form method="post" action="{{.Action}}">
<input type="hidden" name="flow" value="{{.Flow}}">
<label for="username">{{tr .Lang "Username"}}</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="{{.Username}}"{{if .Error}} aria-describedby="err"{{end}}>
<label for="password">{{tr .Lang "Password"}}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">{{tr .Lang "Sign in"}}</button>
</form>{{end}}
</main></body></html>`))

func (s *Server) renderPage(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, d)
}

// signInTexts is the sign-in page's words by language, kept as data (one object a language,
// English sentence to translation) so that adding a language adds no code.
//
//go:embed signin_texts.json
var signInTexts []byte

// pageTexts are the sign-in page's words in the languages the portal speaks, as PingOne's own
// hosted pages follow ui_locales. A sentence missing here shows in English.
var pageTexts = mustPageTexts(signInTexts)

// mustPageTexts decodes the embedded translations; it panics because a malformed file is a
// build mistake that every test of the package would catch at once.
func mustPageTexts(data []byte) map[string]map[string]string {
	var texts map[string]map[string]string
	if err := json.Unmarshal(data, &texts); err != nil {
		panic(fmt.Sprintf("pingonetest: decoding signin_texts.json: %v", err))
	}
	return texts
}

// pageLanguage is the first of ui_locales (space-separated BCP 47 tags) the sign-in page
// speaks, or "" for English.
func pageLanguage(uiLocales string) string {
	for _, tag := range strings.Fields(uiLocales) {
		for lang := range pageTexts {
			if strings.EqualFold(tag, lang) || strings.EqualFold(strings.SplitN(tag, "-", 2)[0], lang) && !strings.Contains(lang, "-") {
				return lang
			}
		}
		switch strings.ToLower(tag) {
		case "pt":
			return "pt-BR"
		case "zh", "zh-cn", "zh-sg", "zh-hans-cn":
			return "zh-Hans"
		}
	}
	return ""
}

// tr words one of the sign-in page's sentences in lang.
func tr(lang, s string) string {
	if t, ok := pageTexts[lang][s]; ok {
		return t
	}
	return s
}
