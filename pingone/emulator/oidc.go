package emulator

import (
	"crypto/rsa"
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"
)

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

// RotateSigningKey makes a new RSA key sign ID tokens from now on. The previous key stays in
// the JWKS, as in a real rotation, so tokens it signed still verify.
func (s *Server) RotateSigningKey() error {
	k, err := rsa.GenerateKey(randReader{}, 2048)
	if err != nil {
		return fmt.Errorf("emulator: signing key: %w", err)
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
