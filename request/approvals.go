package request

// Approvals is the number of approving reviews the request carries: the
// one count the quorum check, listings, notifications and the cli use.
// Review keeps each person to one review, so on a request this package
// changed it is the number of distinct approvers; whoever acts on a
// stored record checks the reviewers again against the current policy.
func (r *Request) Approvals() int { return r.approvals() }
