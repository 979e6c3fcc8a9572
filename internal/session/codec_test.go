package session

import (
	"maps"
	"testing"
)

func TestValueCodecRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   map[any]any
	}{
		{"empty", map[any]any{}},
		{"signed in", map[any]any{keyUserID: "3f1c0a4e-6d2b-4c1a-9b8e-1a2b3c4d5e6f", keyStaff: true, keyReauth: false,
			keyCreated: int64(1_800_000_000), keySeen: int64(-5), keyAMR: "pwd sms", keyFlashData: `{"N":"30"}`, keyName: "Zoë Ünïcode"}},
		{"empty string and zero", map[any]any{keyACR: "", keyProof: int64(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := valueCodec{}.Serialize(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			out := map[any]any{}
			if err := (valueCodec{}).Deserialize(b, &out); err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(out, tc.in) {
				t.Fatalf("got %v, want %v", out, tc.in)
			}
		})
	}
}

func TestValueCodecRefuses(t *testing.T) {
	for _, in := range []map[any]any{{1: "x"}, {"k": 1.5}, {"k": []string{"a"}}, {"k": 3}} {
		if _, err := (valueCodec{}).Serialize(in); err == nil {
			t.Errorf("serialized %v", in)
		}
	}
	good, _ := valueCodec{}.Serialize(map[any]any{"key": "value", "n": int64(300)})
	for i := range len(good) {
		out := map[any]any{}
		// Every truncation is either refused or yields a prefix of the values, never a panic.
		_ = valueCodec{}.Deserialize(good[:i], &out)
	}
	for _, bad := range [][]byte{{3, 'k'}, {1, 'k', 'x'}, {1, 'k', 's', 9, 'a'}, {1, 'k', 'i'}} {
		out := map[any]any{}
		if err := (valueCodec{}).Deserialize(bad, &out); err == nil {
			t.Errorf("accepted %q as %v", bad, out)
		}
	}
}
