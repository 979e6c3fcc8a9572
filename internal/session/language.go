package session

// keyLanguage is the language of the person's PingOne profile, read at sign-in.
const keyLanguage = "lang"

// SetLanguage keeps the language of the signed-in person's PingOne profile (preferredLanguage
// or locale, a BCP 47 tag; "" for none), which the pages use unless the person or the link
// they followed chose another.
func (s *Session) SetLanguage(tag string) {
	if len(tag) > 35 {
		tag = "" // longer than any language tag: not one
	}
	s.s.Values[keyLanguage] = tag
}

// Language is the language of the signed-in person's PingOne profile, or "".
func (s *Session) Language() string { return s.str(keyLanguage) }
