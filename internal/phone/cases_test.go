package phone

import "github.com/smsmfa/portal/testkit/phonecases"

// Case is a number as typed, with the region picked.
type Case = phonecases.Case

// ExampleCases returns the example numbers and their mutations (testkit/phonecases). It is a
// variable, not a function: a function named Example… in a test file would be a Go example.
var ExampleCases = phonecases.Examples
