package views

import (
	"context"
	"strings"

	"github.com/smsmfa/portal/internal/messages"
)

// t words a message in the request's language (the printer the handlers put in ctx).
func t(ctx context.Context, key messages.Key) string { return messages.From(ctx).T(key, nil) }

// tf words a message with fields.
func tf(ctx context.Context, key messages.Key, data messages.Data) string {
	return messages.From(ctx).T(key, data)
}

// around words a message whose field is shown with markup (a number in <strong>): it returns
// the text before and after the field, so a translation may put the field anywhere.
func around(ctx context.Context, key messages.Key, field string) (before, after string) {
	const mark = "\x00"
	before, after, _ = strings.Cut(tf(ctx, key, messages.Data{field: mark}), mark)
	return before, after
}
