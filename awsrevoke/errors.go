package awsrevoke

import "fmt"

// Error is a failed step of writing one role's policy: Op names the step
// (credentials, assume revoker, iam client, store, lease, list policies,
// read policy, render, put policy, delete policy), Role the role (or the
// revoker) it was for.
type Error struct {
	Op   string
	Role string
	Err  error
}

func (e *Error) Error() string {
	if e.Role == "" {
		return fmt.Sprintf("revoke in AWS: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("revoke in AWS: %s %s: %v", e.Op, e.Role, e.Err)
}

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }
