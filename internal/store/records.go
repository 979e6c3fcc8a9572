package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Every record family keeps its records as JSON under a key of its own; these helpers are the
// one place that encodes, decodes, takes and names a record in errors.

// putJSON keeps val under key as JSON for ttl; what names the record in errors.
func putJSON(ctx context.Context, s Store, what, key string, val any, ttl time.Duration) error {
	b, err := json.Marshal(val)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", what, err)
	}
	if err := s.Set(ctx, key, b, ttl); err != nil {
		return fmt.Errorf("store: keep %s: %w", what, err)
	}
	return nil
}

// getJSON reads key into val and reports whether it was there.
func getJSON(ctx context.Context, s Store, what, key string, val any) (bool, error) {
	b, err := s.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: read %s: %w", what, err)
	}
	if err := json.Unmarshal(b, val); err != nil {
		return false, fmt.Errorf("store: decode %s: %w", what, err)
	}
	return true, nil
}

// getRecord reads the record under key, or nil when there is none.
func getRecord[T any](ctx context.Context, s Store, what, key string) (*T, error) {
	var v T
	if ok, err := getJSON(ctx, s, what, key, &v); !ok || err != nil {
		return nil, err
	}
	return &v, nil
}

// takeOnce removes key in one step and reports whether this call took it: of two callers taking
// the same record at once, one only gets true.
func takeOnce(ctx context.Context, s Store, what, key string) (bool, error) {
	_, err := s.Take(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: take %s: %w", what, err)
	}
	return true, nil
}
