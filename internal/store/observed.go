package store

import (
	"context"
	"errors"
	"time"
)

// Observed returns s with every failed call reported to failed, named by its operation
// ("reserve", "get", "ping", ...): only failures that mean the store could not be asked
// (ErrUnavailable), not ErrNotFound or a refused reservation. The portal counts them
// (portal_store_errors_total), so that an alert fires while Redis is down.
func Observed(s Store, failed func(operation string)) Store {
	return &observed{Store: s, failed: failed}
}

type observed struct {
	Store
	failed func(operation string)
}

func (o *observed) check(op string, err error) {
	if err != nil && errors.Is(err, ErrUnavailable) {
		o.failed(op)
	}
}

func (o *observed) Reserve(ctx context.Context, key string, limit int, window time.Duration) (Reservation, error) {
	r, err := o.Store.Reserve(ctx, key, limit, window)
	o.check("reserve", err)
	return r, err
}

func (o *observed) Attempt(ctx context.Context, key string, maxFailures int, window, lockFor time.Duration) (Reservation, error) {
	r, err := o.Store.Attempt(ctx, key, maxFailures, window, lockFor)
	o.check("attempt", err)
	return r, err
}

func (o *observed) Wait(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	d, err := o.Store.Wait(ctx, key, limit, window)
	o.check("wait", err)
	return d, err
}

func (o *observed) Reset(ctx context.Context, key string) error {
	err := o.Store.Reset(ctx, key)
	o.check("reset", err)
	return err
}

func (o *observed) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := o.Store.Get(ctx, key)
	o.check("get", err)
	return v, err
}

func (o *observed) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	err := o.Store.Set(ctx, key, value, ttl)
	o.check("set", err)
	return err
}

func (o *observed) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ok, err := o.Store.SetNX(ctx, key, value, ttl)
	o.check("setnx", err)
	return ok, err
}

func (o *observed) Take(ctx context.Context, key string) ([]byte, error) {
	v, err := o.Store.Take(ctx, key)
	o.check("take", err)
	return v, err
}

func (o *observed) Delete(ctx context.Context, key string) error {
	err := o.Store.Delete(ctx, key)
	o.check("delete", err)
	return err
}

func (o *observed) Ping(ctx context.Context) error {
	err := o.Store.Ping(ctx)
	o.check("ping", err)
	return err
}
