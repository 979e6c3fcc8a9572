package pingone

import (
	"context"
	"net/http"
	"time"
)

// Activity is one event of PingOne's audit log about a user.
type Activity struct {
	ID         string    `json:"id"`
	RecordedAt time.Time `json:"recordedAt"`
	Action     struct {
		Type        string `json:"type"`
		Description string `json:"description"`
	} `json:"action"`
	Result struct {
		Status      string `json:"status"`
		Description string `json:"description"`
	} `json:"result"`
	// CorrelationID is the X-Ping-External-Transaction-ID of the call that caused it, when one
	// was sent.
	CorrelationID string `json:"correlationId,omitempty"`
}

// ActivityPage is one page of activities, newest first.
type ActivityPage struct {
	Activities []Activity
	// Next is the cursor of the next page, or "".
	Next string
}

// activityTime is the form of a recordedat bound in a filter.
const activityTime = "2006-01-02T15:04:05.000Z"

// UserActivities reads the user's audit activities recorded between from and to, limit a page
// (cursor: a page's Next, or ""). The filter goes in the body of a POST (PingOne's form that
// keeps the user out of URLs); the search changes nothing, so it is retried like a GET.
// PingOne gives this endpoint a lower rate limit than others: callers cache its answers.
func (c *Client) UserActivities(ctx context.Context, userID string, from, to time.Time, limit int, cursor string) (*ActivityPage, error) {
	// PingOne's documented form (its reference's example), the user's ID quoted and escaped.
	filter := "recordedat gt " + QuoteFilterValue(from.UTC().Format(activityTime)) + " AND recordedat lt " +
		QuoteFilterValue(to.UTC().Format(activityTime)) + " AND resources.id eq " + QuoteFilterValue(userID)
	q := pageQuery(limit, cursor)
	var out struct {
		Links    map[string]Link `json:"_links"`
		Embedded struct {
			Activities []Activity `json:"activities"`
		} `json:"_embedded"`
	}
	if err := c.do(ctx, request{method: http.MethodPost, path: "/activities", query: q, body: map[string]string{"filter": filter},
		idempotent: true}, &out); err != nil {
		return nil, err
	}
	return &ActivityPage{Activities: out.Embedded.Activities, Next: nextCursor(out.Links)}, nil
}
