package views

// HelpdeskStepUpProps explains the MFA sign-in the help desk asks its staff for.
type HelpdeskStepUpProps struct {
	// Continue starts PingOne's MFA sign-in; Minutes is how long one lasts for the help desk.
	Continue string
	Minutes  int
}

// CallerCheck is the caller-verification part of a help-desk user's page.
type CallerCheck struct {
	// Protected, when set, says why the user cannot be changed: nothing else is offered.
	Protected string
	// Signals are the warnings shown beside the button, in words.
	Signals []string
	// Verified says how and until when the caller is verified; "" when they are not.
	Verified string
	// MinutesLeft is how many minutes the verification has left, for its chip.
	MinutesLeft int
}

// HelpdeskCallerCheckProps is the caller-check page, where staff verify a caller.
type HelpdeskCallerCheckProps struct {
	Base, Name string
	Signals    []string
	// Error is a refusal in words (a wrong code, how many tries are left); Field is the input
	// it is about ("code" or "method").
	Error, Field string
	// CodeSent says where the code waiting to be checked went; "" when none is waiting.
	CodeSent string
	// Waiting says that a colleague's approval is awaited; TimedOut that one was not given in time.
	Waiting, TimedOut string
	// Phone and Email are where a code would go (masked); NoPhone and NoEmail say why one
	// cannot, and NoMethod that neither can.
	Phone, Email               string
	NoPhone, NoEmail, NoMethod string
}

// ApprovalItem is a colleague's request for approval on the help desk's home page.
type ApprovalItem struct {
	Action, Text string
	Signals      []string
}
