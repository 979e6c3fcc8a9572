package messages

// Temporary access (PingOne's MFA bypass, issue #23).
const (
	LayoutTemporaryAccess    Key = "layout.temporary_access"
	LayoutTemporaryAdd       Key = "layout.temporary_add"
	ErrorTemporaryAccess     Key = "error.temporary_access"
	ErrorTemporaryAccessText Key = "error.temporary_access_text"
	ActionBackToUser         Key = "action.back_to_user"
	HdTempHeading            Key = "hd.temp_heading"
	HdTempNone               Key = "hd.temp_none"
	HdTempUnknown            Key = "hd.temp_unknown"
	HdTempIntro              Key = "hd.temp_intro"
	HdTempDuration           Key = "hd.temp_duration"
	HdTempHour               Key = "hd.temp_hour"
	HdTempFourHours          Key = "hd.temp_four_hours"
	HdTempDay                Key = "hd.temp_day"
	HdTempButton             Key = "hd.temp_button"
	HdTempUntil              Key = "hd.temp_until"
	HdTempEnd                Key = "hd.temp_end"
	HdTempDone               Key = "hd.temp_done"
	HdTempEnded              Key = "hd.temp_ended"
	HdTempBadDuration        Key = "hd.temp_bad_duration"
	HdTempReasonMissing      Key = "hd.temp_reason_missing"
	HdMfaOffNotAllowed       Key = "hd.mfa_off_not_allowed"
	HdMfaOffNotAllowedText   Key = "hd.mfa_off_not_allowed_text"
)

// A phone replaced in one step (issue #23).
const (
	DeviceReplace          Key = "device.replace"
	ReplaceTitle           Key = "replace.title"
	ReplaceIntro           Key = "replace.intro"
	ReplaceDone            Key = "replace.done"
	ErrorCannotReplace     Key = "error.cannot_replace"
	ErrorCannotReplaceText Key = "error.cannot_replace_text"
)

// Notices by email after a change (issue #23).
const (
	NoticeSubject          Key = "notice.subject"
	NoticeAdded            Key = "notice.added"
	NoticeRemoved          Key = "notice.removed"
	NoticeReplaced         Key = "notice.replaced"
	NoticeTemporarySet     Key = "notice.temporary_set"
	NoticeTemporaryEnded   Key = "notice.temporary_ended"
	NoticeMFAOff           Key = "notice.mfa_off"
	NoticeWhen             Key = "notice.when"
	NoticeByYou            Key = "notice.by_you"
	NoticeByHelpdesk       Key = "notice.by_helpdesk"
	NoticeByHelpdeskTicket Key = "notice.by_helpdesk_ticket"
	NoticeNotYou           Key = "notice.not_you"
	NoticeNotYouContact    Key = "notice.not_you_contact"
)

// The history of a person's MFA events (issue #23).
const (
	HistHeading        Key = "hist.heading"
	HistRecent         Key = "hist.recent"
	HistUnavailable    Key = "hist.unavailable"
	HistNone           Key = "hist.none"
	HistSignInMFA      Key = "hist.sign_in_mfa"
	HistSignInPassword Key = "hist.sign_in_password"
	HistWrongCode      Key = "hist.wrong_code"
	HistLocked         Key = "hist.locked"
	HistPhoneAdded     Key = "hist.phone_added"
	HistPhoneActivated Key = "hist.phone_activated"
	HistPhoneRemoved   Key = "hist.phone_removed"
	HistTemporary      Key = "hist.temporary"
)

// The person's recent activity on their phones page (issue #23 part 3).
const (
	HistSeeAll Key = "hist.see_all"
)
