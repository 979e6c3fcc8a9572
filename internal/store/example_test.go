package store_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/smsmfa/portal/internal/store"
)

// sendText stands in for the PingOne call that texts a code; it fails on the second number.
func sendText(number string) error {
	if number == "+15125550002" {
		return errors.New("PingOne: 503")
	}
	return nil
}

// Texting a code: the slots are reserved before PingOne is called and given back when PingOne
// did not send, so parallel requests cannot all pass, and a failure costs the person nothing.
func Example_textLimits() {
	ctx := context.Background()
	s := store.NewMemory(store.MemoryOptions{})
	defer s.Close()

	for _, number := range []string{"+15125550001", "+15125550002", "+15125550001"} {
		rs, err := store.ReserveAll(ctx, s,
			store.Limit{Key: "new_device:user1", Limit: 5, Window: time.Hour},
			store.Limit{Key: "texts_to_number:" + number, Limit: 1, Window: 5 * time.Minute})
		var refusal *store.Refusal
		switch {
		case errors.As(err, &refusal):
			fmt.Printf("%s: refused by %s\n", number, refusal.Limit.Key)
			continue
		case errors.Is(err, store.ErrUnavailable):
			fmt.Println("cannot check the limits now: no text sent")
			continue
		}
		if err := sendText(number); err != nil {
			_ = rs.Cancel(ctx)
			fmt.Printf("%s: not sent, slots given back\n", number)
			continue
		}
		fmt.Printf("%s: sent\n", number)
	}
	w, _ := s.Wait(ctx, "new_device:user1", 5, time.Hour)
	r, _ := s.Reserve(ctx, "new_device:user1", 5, time.Hour)
	fmt.Println("wait:", w, "remaining new devices:", r.Remaining)
	// Output:
	// +15125550001: sent
	// +15125550002: not sent, slots given back
	// +15125550001: refused by texts_to_number:+15125550001
	// wait: 0s remaining new devices: 3
}

// Checking a code: each attempt is a failure unless cancelled; five wrong codes lock the
// device for fifteen minutes.
func Example_wrongCodes() {
	ctx := context.Background()
	s := store.NewMemory(store.MemoryOptions{})
	defer s.Close()

	for i, code := range []string{"000001", "123456", "000002", "000003", "000004", "000005", "123456"} {
		a, err := s.Attempt(ctx, "wrong_code:device1", 5, 15*time.Minute, 15*time.Minute)
		if err != nil {
			fmt.Println("cannot check the limits now")
			return
		}
		if !a.OK {
			fmt.Printf("attempt %d: locked for %v\n", i+1, a.RetryAfter.Round(time.Minute))
			continue
		}
		if code == "123456" { // PingOne accepted it
			_ = a.Cancel(ctx)
			fmt.Printf("attempt %d: right\n", i+1)
			continue
		}
		fmt.Printf("attempt %d: wrong\n", i+1)
	}
	// Output:
	// attempt 1: wrong
	// attempt 2: right
	// attempt 3: wrong
	// attempt 4: wrong
	// attempt 5: wrong
	// attempt 6: wrong
	// attempt 7: locked for 15m0s
}

// A session's record: written at sign-in, read on every request, ended at sign-out on every
// instance at once. The key and the lifetime (the idle timeout plus a minute) are the store's.
func ExampleSessions() {
	ctx := context.Background()
	s := store.NewMemory(store.MemoryOptions{})
	defer s.Close()
	sessions := store.Sessions{S: s, Idle: 15 * time.Minute}

	_ = sessions.Put(ctx, "sid1", store.SessionRecord{UserID: "alice"})
	rec, _ := sessions.Get(ctx, "sid1")
	fmt.Println("signed in:", rec.UserID)
	_ = sessions.End(ctx, "sid1")
	// A request that read the record before the sign-out cannot bring it back.
	_ = sessions.Refresh(ctx, "sid1", *rec)
	rec, _ = sessions.Get(ctx, "sid1")
	fmt.Println("after sign-out:", rec)
	// Output:
	// signed in: alice
	// after sign-out: <nil>
}

// A limit on texts to one number: the counter is named by the rule and the number, which the
// store keeps only as a hash.
func ExampleCounters() {
	ctx := context.Background()
	s := store.NewMemory(store.MemoryOptions{})
	defer s.Close()
	counters := store.Counters{S: s}
	toNumber := store.CounterLimit{Counter: store.Counter{Name: "texts_to_number", Subject: "+15125550001"},
		Limit: 1, Window: 5 * time.Minute}

	for range 2 {
		_, err := counters.Reserve(ctx, toNumber)
		var full *store.CounterFull
		if errors.As(err, &full) {
			fmt.Println("refused by", full.Limit.Counter.Name, "for", full.RetryAfter.Round(time.Minute))
			continue
		}
		fmt.Println("sent")
	}
	// Output:
	// sent
	// refused by texts_to_number for 5m0s
}
