package store

import "time"

// What the portal keeps in the store, and for how long: every key a typed helper of this package
// writes starts with one of these prefixes (the help desk's records list theirs in their own
// files). On Redis each key is further put under REDIS_KEY_PREFIX, values as
// <prefix>kv:<key> and limit counters as <prefix>rl:{r:<key>} and <prefix>rl:{r:<key>}:lock
// (see Redis). The names are the ones on the wire: changing one makes a rolling upgrade lose
// what the older instances wrote.
const (
	// PrefixSession: "session:<session ID>", a signed-in session's record (SessionRecord:
	// whose it is, when PingOne last said the account is enabled, the ID token), written by
	// Sessions. TTL: the idle timeout plus a minute, refreshed with the session.
	PrefixSession = "session:"
	// PrefixSessionEnded: "session-ended:<session ID>", the mark of a session that was signed
	// out, so that a refresh racing with the sign-out cannot bring the record back. TTL: as
	// the record's.
	PrefixSessionEnded = "session-ended:"
	// PrefixDevices: "devices:<user ID>", a person's device list as PingOne last returned it
	// (DeviceList, with full phone numbers), written by DeviceCache. TTL: DeviceListTTL.
	PrefixDevices = "devices:"
	// PrefixReplace: "replace:<user ID>:<new device ID>", a phone replacement started and not
	// finished (Replacement), written by Replacements. TTL: ReplacementTTL.
	PrefixReplace = "replace:"
	// PrefixHistory: "history:<user ID>", a person's MFA history as read from PingOne's audit
	// activities, written by History. TTL: HistoryTTL.
	PrefixHistory = "history:"
	// PrefixLimit: "limit:<rule name>:<first 16 bytes of the SHA-256 of the subject, in hex>",
	// one limit's counter (or wrong-code lockout) for one subject: a user ID, a number, a
	// network; the hash keeps numbers and addresses out of Redis in clear. Written by
	// Counters. The rule names are internal/limits' (limits.Name*) and are wire names like
	// every prefix here: a renamed rule starts its counters afresh, and during a rolling
	// upgrade the old and new instances count apart. TTL: the rule's window, or its lock time
	// for a lockout, counted from the last event.
	PrefixLimit = "limit:"
	// PrefixHealth: "health:<random>", the value Redis.RoundTrip writes, reads back and
	// deletes for portal -check and /healthz/deps. TTL: 30 seconds, should the delete fail.
	PrefixHealth = "health:"
)

// The TTLs of the records above whose lifetime is not a setting.
const (
	// DeviceListTTL bounds how long a change made outside the portal (PingOne's console,
	// another tool) can go unseen by the portal's own pre-checks; PingOne still enforces its
	// device cap itself.
	DeviceListTTL = time.Minute
	// ReplacementTTL is how long a started replacement may be finished: the pairing code's own
	// lifetime (30 minutes at PingOne's default) with room for a retry.
	ReplacementTTL = 2 * time.Hour
	// HistoryTTL keeps a history briefly: PingOne gives the activities endpoint a lower rate
	// limit.
	HistoryTTL = time.Minute
	// sessionLag is added to the idle timeout for a session record's TTL: the minute by which
	// the session's "seen" may lag (internal/session refreshes it at most once a minute).
	sessionLag = time.Minute
)
