// Package auth signs people in with PingOne as OpenID Provider: authorization code flow with
// PKCE, state and nonce, endpoints from discovery, ID tokens verified by go-oidc.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/smsmfa/portal/internal/ids"
)

// Config says which OpenID Provider and client to use.
type Config struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	HTTPClient   *http.Client
}

// RP is the portal as OIDC relying party. Discovery happens on first use and is retried
// until it succeeds, so the portal starts even when PingOne is down.
type RP struct {
	cfg Config

	mu       sync.Mutex
	provider *oidc.Provider
	endSess  string
}

// New returns a relying party; it does not contact the provider yet.
func New(cfg Config) *RP {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &RP{cfg: cfg}
}

func (rp *RP) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, rp.cfg.HTTPClient)
}

func (rp *RP) discover(ctx context.Context) (*oidc.Provider, error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.provider != nil {
		return rp.provider, nil
	}
	p, err := oidc.NewProvider(rp.ctx(ctx), rp.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("auth: discovery at %s: %w", rp.cfg.Issuer, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&extra)
	rp.provider, rp.endSess = p, extra.EndSession
	return p, nil
}

func (rp *RP) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: rp.cfg.ClientID, ClientSecret: rp.cfg.ClientSecret, RedirectURL: rp.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

// Flow is what must be kept between sending a person to sign in and their return.
type Flow struct {
	State, Nonce, Verifier string
}

// Options shape one sign-in request.
type Options struct {
	// Prompt "login" forces a fresh sign-in.
	Prompt string
	// MaxAge, when positive, asks for a sign-in no older than this.
	MaxAge time.Duration
	// ACR names the sign-on policy to satisfy.
	ACR       string
	LoginHint string
	// UILocales asks PingOne to show its sign-in pages in these languages (BCP 47 tags,
	// space-separated, preferred first): OIDC's ui_locales.
	UILocales string
}

// Start returns the URL to send the person to and the flow to keep in their session.
func (rp *RP) Start(ctx context.Context, o Options) (string, Flow, error) {
	p, err := rp.discover(ctx)
	if err != nil {
		return "", Flow{}, err
	}
	f := Flow{State: ids.Token(24), Nonce: ids.Token(24), Verifier: oauth2.GenerateVerifier()}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.Verifier), oidc.Nonce(f.Nonce)}
	if o.Prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", o.Prompt))
	}
	if o.MaxAge > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("max_age", strconv.Itoa(int(o.MaxAge.Seconds()))))
	}
	if o.ACR != "" {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", o.ACR))
	}
	if o.UILocales != "" {
		opts = append(opts, oauth2.SetAuthURLParam("ui_locales", o.UILocales))
	}
	if o.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", o.LoginHint))
	}
	return rp.oauth(p).AuthCodeURL(f.State, opts...), f, nil
}

// Identity is who signed in.
type Identity struct {
	Subject  string
	Username string
	Name     string
	// AuthTime is the ID token's auth_time: when the person last authenticated; zero when the
	// token has none (its iat is not a stand-in: it is always fresh).
	AuthTime time.Time
	ACR      string
	// AMR are the authentication methods PingOne reports (RFC 8176), or nil when it sent none.
	AMR     []string
	IDToken string
}

// ErrState means the answer does not belong to the sign-in this browser started.
var ErrState = errors.New("auth: state does not match")

// ProviderError is an error PingOne sent back instead of a code (such as access_denied).
type ProviderError struct{ Code, Description string }

func (e *ProviderError) Error() string {
	return "auth: provider answered " + e.Code + ": " + e.Description
}

// Finish checks the provider's answer against the flow, exchanges the code and verifies the
// ID token (signature, issuer, audience, expiry, nonce).
func (rp *RP) Finish(ctx context.Context, q url.Values, f Flow) (Identity, error) {
	if f.State == "" || q.Get("state") != f.State {
		return Identity{}, ErrState
	}
	if e := q.Get("error"); e != "" {
		return Identity{}, &ProviderError{Code: e, Description: q.Get("error_description")}
	}
	p, err := rp.discover(ctx)
	if err != nil {
		return Identity{}, err
	}
	tok, err := rp.oauth(p).Exchange(rp.ctx(ctx), q.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("auth: code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, errors.New("auth: no id_token in the token answer")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: rp.cfg.ClientID}).Verify(rp.ctx(ctx), raw)
	if err != nil {
		return Identity{}, fmt.Errorf("auth: id token: %w", err)
	}
	if idt.Nonce != f.Nonce {
		return Identity{}, errors.New("auth: id token nonce does not match")
	}
	var claims struct {
		Username string          `json:"preferred_username"`
		Name     string          `json:"name"`
		Email    string          `json:"email"`
		AuthTime int64           `json:"auth_time"`
		ACR      string          `json:"acr"`
		AMR      json.RawMessage `json:"amr"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("auth: id token claims: %w", err)
	}
	id := Identity{Subject: idt.Subject, Username: claims.Username, Name: claims.Name, ACR: claims.ACR, IDToken: raw}
	if id.Username == "" {
		id.Username = claims.Email
	}
	if claims.AuthTime > 0 {
		id.AuthTime = time.Unix(claims.AuthTime, 0)
	}
	id.AMR = decodeAMR(claims.AMR)
	return id, nil
}

// EndSessionURL returns where to send the person to end their PingOne session, or "" when the
// provider has no end-session endpoint (or cannot be reached now).
func (rp *RP) EndSessionURL(ctx context.Context, idToken, postLogout, state string) string {
	if _, err := rp.discover(ctx); err != nil || rp.endSess == "" {
		return ""
	}
	u, err := url.Parse(rp.endSess)
	if err != nil {
		return ""
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("post_logout_redirect_uri", postLogout)
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// decodeAMR reads amr as RFC 8176 has it (an array of strings), and leniently as one string.
func decodeAMR(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return strings.Fields(one)
	}
	return nil
}
