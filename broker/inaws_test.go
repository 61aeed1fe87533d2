package broker

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sentinel-cli/sentinel/awsrevoke"
	"github.com/sentinel-cli/sentinel/revocation"
)

func TestCleanRoles(t *testing.T) {
	a := "arn:aws:iam::111122223333:role/a"
	b := "arn:aws:iam::111122223333:role/path/b"
	for _, tc := range []struct {
		name string
		in   []string
		want []string
	}{
		{"none", nil, nil},
		{"no role (GetSessionToken profile)", []string{""}, nil},
		{"sorted and once ignoring case", []string{b, a, strings.ToUpper(a[:8]) + a[8:], a}, []string{a, b}},
		{"wildcards and other ARNs dropped", []string{"arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:user/alice", a}, []string{a}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cleanRoles(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("cleanRoles(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestChunksKeepEveryRoleWithinMaxRoles(t *testing.T) {
	for _, n := range []int{0, 1, revocation.MaxRoles, revocation.MaxRoles + 1, 3*revocation.MaxRoles + 5} {
		var roles []string
		for i := range n {
			roles = append(roles, fmt.Sprintf("arn:aws:iam::111122223333:role/r%03d", i))
		}
		var back []string
		for _, c := range chunks(roles) {
			if len(c) == 0 || len(c) > revocation.MaxRoles {
				t.Fatalf("%d roles: a chunk of %d", n, len(c))
			}
			back = append(back, c...)
		}
		if !slices.Equal(back, roles) {
			t.Fatalf("%d roles: chunks lose or reorder roles", n)
		}
	}
}

func TestLatestExpiryNeverPastSTSLongest(t *testing.T) {
	now := time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)
	limit := now.Add(revocation.MaxCredentialLifetime)
	for _, tc := range []struct {
		known, want time.Time
	}{
		{time.Time{}, limit},
		{now.Add(time.Hour), now.Add(time.Hour)},
		{now.Add(48 * time.Hour), limit},
	} {
		if got := latestExpiry(now, tc.known); !got.Equal(tc.want) {
			t.Errorf("latestExpiry(%s) = %s, want %s", tc.known, got, tc.want)
		}
	}
}

func TestInAWSErrorSaysWhatHoldsAndMatches(t *testing.T) {
	err := error(&InAWSError{Holds: "session 0123456789abcdef is revoked", Failed: []awsrevoke.Result{
		{Role: "arn:aws:iam::111122223333:role/a", Err: &awsrevoke.Error{Op: "put policy", Role: "arn:aws:iam::111122223333:role/a", Err: errors.New("IAM down")}},
	}})
	joined := errors.Join(nil, err)
	if !errors.Is(joined, ErrInAWSFailed) {
		t.Fatal("a joined InAWSError does not match ErrInAWSFailed")
	}
	msg := joined.Error()
	for _, want := range []string{"session 0123456789abcdef is revoked", "writing the AWS deny failed", "put policy", "IAM down"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if errors.Is(&InAWSError{Holds: "x", Err: ErrNoRevocationList}, ErrNoRevocationList) != true {
		t.Error("the store failure is not unwrapped")
	}
}
