package session

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// valueCodec serializes the session's values for securecookie (which then encrypts and signs
// them) without encoding/gob: gob compiled its type descriptions again on every decode, the
// largest single cost of a request (BENCHMARKS.md, "Where the CPU goes"). The session holds only string
// keys with string, bool and int64 values, written as: key length, key, a type byte, value.
type valueCodec struct{}

const (
	tagString byte = 's'
	tagTrue   byte = 't'
	tagFalse  byte = 'f'
	tagInt    byte = 'i'
)

// Serialize writes the values; any other key or value type is an error, never a silent drop.
func (valueCodec) Serialize(src any) ([]byte, error) {
	m, ok := src.(map[any]any)
	if !ok {
		return nil, fmt.Errorf("session: cannot serialize %T", src)
	}
	b := make([]byte, 0, 256)
	for k, v := range m {
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("session: key %v is a %T, not a string", k, k)
		}
		b = binary.AppendUvarint(b, uint64(len(ks)))
		b = append(b, ks...)
		switch v := v.(type) {
		case string:
			b = append(b, tagString)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case bool:
			if v {
				b = append(b, tagTrue)
			} else {
				b = append(b, tagFalse)
			}
		case int64:
			b = append(b, tagInt)
			b = binary.AppendVarint(b, v)
		default:
			return nil, fmt.Errorf("session: value of %q is a %T", ks, v)
		}
	}
	return b, nil
}

var errCorrupt = errors.New("session: malformed values")

// Deserialize reads what Serialize wrote into dst (a *map[any]any).
func (valueCodec) Deserialize(src []byte, dst any) error {
	mp, ok := dst.(*map[any]any)
	if !ok {
		return fmt.Errorf("session: cannot deserialize into %T", dst)
	}
	if *mp == nil {
		*mp = map[any]any{}
	}
	m := *mp
	str := func() (string, bool) {
		n, w := binary.Uvarint(src)
		if w <= 0 || n > uint64(len(src)-w) {
			return "", false
		}
		s := string(src[w : w+int(n)])
		src = src[w+int(n):]
		return s, true
	}
	for len(src) > 0 {
		k, ok := str()
		if !ok || len(src) == 0 {
			return errCorrupt
		}
		tag := src[0]
		src = src[1:]
		switch tag {
		case tagString:
			v, ok := str()
			if !ok {
				return errCorrupt
			}
			m[k] = v
		case tagTrue, tagFalse:
			m[k] = tag == tagTrue
		case tagInt:
			v, w := binary.Varint(src)
			if w <= 0 {
				return errCorrupt
			}
			src = src[w:]
			m[k] = v
		default:
			return errCorrupt
		}
	}
	return nil
}
