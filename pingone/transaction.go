package pingone

import (
	"context"
	"net/http"
	"strings"
)

// HeaderTransactionID is the header PingOne records with each event it logs for a call
// (docs/pingone-api.md, "Correlation"): the portal sends its request ID in it, so that an
// operator can join PingOne's audit activity with the portal's own audit record.
const HeaderTransactionID = "X-Ping-External-Transaction-ID"

type transactionKey struct{}

// ContextWithTransactionID returns ctx carrying id, the caller's request ID, for every PingOne
// call made in it: the client stands alone, so the portal hands its request ID over here.
func ContextWithTransactionID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, transactionKey{}, id)
}

// TransactionID is the value of HeaderTransactionID for a call made in ctx: the request ID the
// caller gave it (ContextWithTransactionID), as PingOne accepts it (at most 100 characters of letters, digits
// and . _ - / @ = # +; anything else becomes _, as PingOne itself would make it), or "".
func TransactionID(ctx context.Context) string {
	id, _ := ctx.Value(transactionKey{}).(string)
	if len(id) > 100 {
		id = id[:100]
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("._-/@=#+", r):
			return r
		}
		return '_'
	}, id)
}

// WithTransactionID wraps a transport so that every request it sends carries the request ID of
// its context as HeaderTransactionID: the calls the client does not build itself (the worker
// token, the person's sign-in with go-oidc and x/oauth2) are joined to the portal's request
// like the management calls. nil wraps http.DefaultTransport.
func WithTransactionID(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return transactionTransport{rt}
}

type transactionTransport struct{ next http.RoundTripper }

func (t transactionTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if id := TransactionID(r.Context()); id != "" && r.Header.Get(HeaderTransactionID) == "" {
		r = r.Clone(r.Context())
		r.Header.Set(HeaderTransactionID, id)
	}
	return t.next.RoundTrip(r)
}
