package broker

import (
	"slices"
	"time"

	"github.com/sentinel-cli/sentinel/person"
)

// The stores index requests, break-glass events and sessions by the name
// in the caller's ARN, which is enough to find a person's records only when
// that name is the person: an IAM user (unique in its account) or an IAM
// Identity Center user (the same name in every account). A role's
// sessions carry whatever session names were chosen, so the records of a
// role (or a federated or root principal) are found by profile or status
// instead, and matched by person key (person.Same) like every other.

// foundByName reports whether the records of the person behind arn can be
// looked up by the name in arn.
func foundByName(arn string) bool {
	k, err := person.Of(arn)
	return err == nil && (k.Kind == person.KindUser || k.Kind == person.KindSSO)
}

// listEveryStatus lists with list once per status and merges the results
// newest first: a person's "mine" listing when no index holds their
// records under one key.
func listEveryStatus[T any, S any](statuses []S, list func(S) ([]*T, error), created func(*T) time.Time) ([]*T, error) {
	var out []*T
	for _, s := range statuses {
		got, err := list(s)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	slices.SortStableFunc(out, func(x, y *T) int { return created(y).Compare(created(x)) })
	return out, nil
}
