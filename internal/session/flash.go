package session

import (
	"encoding/json"

	"github.com/smsmfa/portal/internal/messages"
)

// Flash is a one-time message for the next page: a catalog key and its fields, worded when
// shown. The fields travel in the cookie, so they name a phone by its masked number only.
type Flash struct {
	// Kind is "success" or "error".
	Kind string
	Key  messages.Key
	Data map[string]string
}

// Flash kinds.
const (
	Success = "success"
	Error   = "error"
	// Warning is for what went through but needs a second look (a number in another country
	// than the directory's).
	Warning = "warning"
)

// SetFlash keeps a message for the next page.
func (s *Session) SetFlash(kind string, key messages.Key, data map[string]string) {
	s.s.Values[keyFlash] = string(key)
	s.s.Values[keyFlashKind] = kind
	delete(s.s.Values, keyFlashData)
	if len(data) > 0 {
		b, _ := json.Marshal(data) // a map of strings always encodes
		s.s.Values[keyFlashData] = string(b)
	}
}

// HasFlash reports whether a message is kept for the next page.
func (s *Session) HasFlash() bool { return s.str(keyFlash) != "" }

// TakeFlash returns the message kept for this page and forgets it; ok is false when there is
// none. The caller saves the session.
func (s *Session) TakeFlash() (f Flash, ok bool) {
	key := s.str(keyFlash)
	if key == "" {
		return Flash{}, false
	}
	f = Flash{Kind: s.str(keyFlashKind), Key: messages.Key(key)}
	if data := s.str(keyFlashData); data != "" {
		_ = json.Unmarshal([]byte(data), &f.Data) // written by SetFlash; a bad one shows without fields
	}
	s.takeFlashValues()
	return f, true
}

// takeFlashValues removes the flash from the session and returns its raw values.
func (s *Session) takeFlashValues() map[string]any {
	out := map[string]any{}
	for _, k := range []string{keyFlash, keyFlashKind, keyFlashData} {
		if v, ok := s.s.Values[k]; ok {
			out[k] = v
			delete(s.s.Values, k)
		}
	}
	return out
}
