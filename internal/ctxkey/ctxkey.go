// Package ctxkey makes typed context keys, so that a package storing one value in a request's
// context writes neither its own key type nor a type assertion at each read.
package ctxkey

import "context"

// Key is a context key for one value of type T. Keys are told apart by address: every New
// returns a key distinct from all others, whatever its name.
type Key[T any] struct{ name string }

// New returns a new key; name says what it carries, for a context's String.
func New[T any](name string) *Key[T] { return &Key[T]{name: name} }

// With returns a copy of ctx carrying v under k.
func (k *Key[T]) With(ctx context.Context, v T) context.Context {
	return context.WithValue(ctx, k, v)
}

// Value returns the value ctx carries under k, or T's zero value when it carries none.
func (k *Key[T]) Value(ctx context.Context) T {
	v, _ := ctx.Value(k).(T)
	return v
}

// String names the key, as a context's String prints it.
func (k *Key[T]) String() string { return "ctxkey." + k.name }
