// Package form reads the portal's forms, one type per form, each in one place: its fields,
// their trimming and length limits, and the first checks a value fails before any rule is
// asked (miniflux's internal/ui/form is the model). A form type is built from the request
// (NewPhone, NewCode, …) and says its first problem (Problem), as an error of the package
// whose rule it is, so a handler answers it exactly as it answers that rule's refusal.
//
// The rules themselves stay where they are: the phone policy in internal/phone, the typed
// code's grammar in internal/mfa (CleanCode), the reason's cleaning and the search's limits in
// internal/helpdesk. A form reads, trims, bounds lengths and calls them; it decides nothing
// else. The person's pages and the help desk's read the same forms: adding a phone is
// form.Phone whoever adds it, and every help-desk change carries a form.Reason.
//
// Handlers read no form value but through this package (handlers' TestFormsReadInOnePlace).
package form
