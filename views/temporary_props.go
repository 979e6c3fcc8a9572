package views

import "time"

// TemporaryAccess is a user's temporary access (PingOne's MFA bypass) on their help-desk page.
// Active, Until and Unknown are the status as data, for a status chip.
type TemporaryAccess struct {
	// Active is whether it holds now; Until is its end and UntilText that end in words (UTC;
	// localtime.js rewords it in the reader's time zone).
	Active    bool
	Until     time.Time
	UntilText string
	// Unknown is set when PingOne could not say.
	Unknown bool
	// Durations are the lengths the help desk may choose.
	Durations []DurationOption
	// AllowMFAOff still offers turning MFA off with no end.
	AllowMFAOff bool
}

// DurationOption is one choice of the "Duration" select.
type DurationOption struct{ Value, Label string }

// History is a person's recent MFA events, worded, or the sentence that it is not available.
type History struct {
	Rows        []HistoryRow
	Unavailable bool
}

// HistoryRow is one event: when, and what.
type HistoryRow struct{ When, What string }
