package pingone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Device authentication statuses, as PingOne writes them. DeviceAuthFailed is not in PingOne's
// reference pages (its data model has an error object "indicating the reason for a device
// authentication failure"); the client treats any status it does not know that is not one of
// the waiting ones as the end of the authentication.
const (
	DeviceAuthOTPRequired       = "OTP_REQUIRED"
	DeviceAuthSelectionRequired = "DEVICE_SELECTION_REQUIRED"
	DeviceAuthCompleted         = "COMPLETED"
	DeviceAuthFailed            = "FAILED"
)

// The content types of the actions on a device authentication.
const (
	ContentTypeDeviceSelect = "application/vnd.pingidentity.device.select+json"
	ContentTypeOTPCheck     = "application/vnd.pingidentity.otp.check+json"
)

// DeviceAuthentication is one PingOne MFA device authentication: a code sent to one of a user's
// devices, or to a one-time email address, and checked. Help-desk staff use it to verify that a
// caller is the user.
type DeviceAuthentication struct {
	ID string
	// Status is DeviceAuthOTPRequired (a code was sent: check it), DeviceAuthSelectionRequired
	// (select one of Devices first), DeviceAuthCompleted, or another value when it failed.
	Status string
	// UserID is the user the authentication is for. A caller that keeps an authentication's ID
	// between requests must compare it with the user it acts on.
	UserID   string
	PolicyID string
	// Devices are the devices PingOne offers for the authentication, phone numbers and email
	// addresses masked by PingOne.
	Devices []AuthDevice
	// SelectedDeviceID is the device the code went to; "" before selection and for a one-time
	// email.
	SelectedDeviceID string
	// OneTimeEmail is the masked one-time email address the code went to, if it went to one.
	OneTimeEmail string
	// ErrorCode is PingOne's reason for a failed authentication.
	ErrorCode            string
	CreatedAt, UpdatedAt time.Time
	// ExpiresAt is when the authentication ends, the zero time when PingOne does not say (its
	// reference does not document an expiry field; the emulator sends expiresAt).
	ExpiresAt time.Time
}

// AuthDevice is a device offered by a device authentication, as PingOne lists it (masked).
type AuthDevice struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Phone  string `json:"phone"`
	Email  string `json:"email"`
}

// Done reports whether the authentication can no longer be continued: completed, failed, or in
// a status the client does not know.
func (a *DeviceAuthentication) Done() bool {
	return a.Status != DeviceAuthOTPRequired && a.Status != DeviceAuthSelectionRequired
}

// UnmarshalJSON reads a device authentication leniently: an unreadable time is the zero time
// rather than a failed answer.
func (a *DeviceAuthentication) UnmarshalJSON(b []byte) error {
	var w struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		User   *Ref   `json:"user"`
		Policy *Ref   `json:"policy"`
		Embed  struct {
			Devices []AuthDevice `json:"devices"`
		} `json:"_embedded"`
		Selected *struct {
			ID      string `json:"id"`
			OneTime *struct {
				Type  string `json:"type"`
				Email string `json:"email"`
			} `json:"oneTime"`
		} `json:"selectedDevice"`
		Error *struct {
			Code string `json:"code"`
		} `json:"error"`
		CreatedAt, UpdatedAt, ExpiresAt string
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*a = DeviceAuthentication{ID: w.ID, Status: strings.ToUpper(w.Status), Devices: w.Embed.Devices}
	if w.User != nil {
		a.UserID = w.User.ID
	}
	if w.Policy != nil {
		a.PolicyID = w.Policy.ID
	}
	if s := w.Selected; s != nil {
		a.SelectedDeviceID = s.ID
		if s.OneTime != nil {
			a.OneTimeEmail = s.OneTime.Email
		}
	}
	if w.Error != nil {
		a.ErrorCode = w.Error.Code
	}
	a.CreatedAt, _ = time.Parse(time.RFC3339, w.CreatedAt)
	a.UpdatedAt, _ = time.Parse(time.RFC3339, w.UpdatedAt)
	a.ExpiresAt, _ = time.Parse(time.RFC3339, w.ExpiresAt)
	return nil
}

func deviceAuthPath(authID string) string {
	return "/deviceAuthentications/" + url.PathEscape(authID)
}

// startDeviceAuth is the request that starts a device authentication: a POST on the auth host
// with the worker's token; never retried: a lost answer may mean a code was sent, and a second
// start would send another.
func startDeviceAuth(body any) request {
	return request{method: http.MethodPost, path: "/deviceAuthentications", auth: true, body: body}
}

// StartDeviceAuthentication starts a device authentication for the user. Depending on the
// device authentication policy, PingOne texts the default device at once (Status
// DeviceAuthOTPRequired) or waits for SelectDevice (DeviceAuthSelectionRequired); either way
// SelectDevice may pick another of Devices.
func (c *Client) StartDeviceAuthentication(ctx context.Context, userID string) (*DeviceAuthentication, error) {
	return doInto[DeviceAuthentication](ctx, c, startDeviceAuth(map[string]any{"user": Ref{ID: userID}}))
}

// StartEmailAuthentication starts a device authentication whose code PingOne emails to the
// address, a one-time device that needs no pairing (for a user who lost their phone: pass the
// address from the directory, never one the caller gives).
func (c *Client) StartEmailAuthentication(ctx context.Context, userID, email string) (*DeviceAuthentication, error) {
	return doInto[DeviceAuthentication](ctx, c, startDeviceAuth(map[string]any{"user": Ref{ID: userID},
		"selectedDevice": map[string]any{"oneTime": map[string]string{"type": "EMAIL", "email": email}}}))
}

// GetDeviceAuthentication reads a device authentication.
func (c *Client) GetDeviceAuthentication(ctx context.Context, authID string) (*DeviceAuthentication, error) {
	return doInto[DeviceAuthentication](ctx, c, request{method: http.MethodGet, path: deviceAuthPath(authID), auth: true, idempotent: true})
}

// SelectDevice has PingOne send the code to one of the authentication's devices. An
// authentication that can no longer be continued gives an error for which
// IsAuthenticationFailed is true.
func (c *Client) SelectDevice(ctx context.Context, authID, deviceID string) (*DeviceAuthentication, error) {
	out, err := doInto[DeviceAuthentication](ctx, c, request{method: http.MethodPost, path: deviceAuthPath(authID), auth: true, contentType: ContentTypeDeviceSelect,
		body: map[string]any{"device": Ref{ID: deviceID}, "compatibility": "FULL"}})
	if err != nil {
		_, err = c.explainRefusal(ctx, authID, err)
		return nil, err
	}
	return out, nil
}

// CheckOTP checks the code the caller read back. A wrong code is an ordinary answer: the error
// satisfies IsWrongCode, AttemptsRemaining may say how many tries are left, and the
// authentication is returned as PingOne has it now (read again after the refusal), so that
// the caller sees whether it may try again or it failed (IsAuthenticationFailed). It is never
// retried, as no POST is.
func (c *Client) CheckOTP(ctx context.Context, authID, otp string) (*DeviceAuthentication, error) {
	out, err := doInto[DeviceAuthentication](ctx, c, request{method: http.MethodPost, path: deviceAuthPath(authID), auth: true, contentType: ContentTypeOTPCheck,
		body: map[string]string{"otp": otp}})
	if err != nil {
		return c.explainRefusal(ctx, authID, err)
	}
	return out, nil
}

// explainRefusal reads the authentication after PingOne refused an action on it, since the
// answer to a refused action does not say for certain whether the authentication is over: if
// it is gone or done, the error becomes an *AuthenticationFailedError around PingOne's.
// Failures that are not refusals (no answer, PingOne down, the worker refused) are returned as
// they are.
func (c *Client) explainRefusal(ctx context.Context, authID string, err error) (*DeviceAuthentication, error) {
	pe, ok := asError(err)
	if !ok || pe.StatusCode < 400 || pe.StatusCode >= 500 || pe.StatusCode == http.StatusTooManyRequests || IsUnauthorized(err) || IsForbidden(err) {
		return nil, err
	}
	if IsNotFound(err) {
		return nil, &AuthenticationFailedError{Err: err}
	}
	a, gerr := c.GetDeviceAuthentication(ctx, authID)
	switch {
	case IsNotFound(gerr):
		return nil, &AuthenticationFailedError{Err: err}
	case gerr != nil:
		// The refusal is still the answer; the read was only to explain it.
		return nil, err
	case a.Done():
		return a, &AuthenticationFailedError{Status: a.Status, Code: a.ErrorCode, Err: err}
	}
	return a, err
}

// AuthenticationFailedError says a device authentication cannot be continued: it failed (too
// many wrong codes, say), was already completed, or PingOne no longer knows it (expired). A new
// one must be started. It wraps PingOne's refusal, so IsWrongCode still tells a wrong code.
type AuthenticationFailedError struct {
	// Status is the authentication's status, "" when PingOne no longer knows it.
	Status string
	// Code is PingOne's reason, when it gave one.
	Code string
	Err  error
}

func (e *AuthenticationFailedError) Error() string {
	status := e.Status
	if status == "" {
		status = "gone"
	}
	s := fmt.Sprintf("pingone: device authentication %s", strings.ToLower(status))
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	return s + ": " + e.Err.Error()
}

func (e *AuthenticationFailedError) Unwrap() error { return e.Err }

// IsAuthenticationFailed reports whether a device authentication can no longer be continued
// (failed, completed already, expired or unknown): the caller must start a new one.
func IsAuthenticationFailed(err error) bool {
	var fe *AuthenticationFailedError
	return errors.As(err, &fe)
}

// AttemptsRemaining returns how many more codes PingOne will check after a wrong one, when its
// answer says so (innerError.remainingAttempts of the INVALID_OTP detail; the name is the
// emulator's, as PingOne's reference does not document one, so absence is normal).
func AttemptsRemaining(err error) (int, bool) {
	if !IsWrongCode(err) {
		return 0, false
	}
	pe, _ := asError(err)
	return pe.innerCount("", 0, "remainingAttempts", "attemptsRemaining")
}
