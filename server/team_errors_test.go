package server

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sentinel-cli/sentinel/proof"
)

// TestRefusedProofSaysInvalidProofOnce: the line the service logs for a
// refused proof names the refusal once, whether the proof package refused
// it (its errors say "invalid proof" already) or the door did.
func TestRefusedProofSaysInvalidProofOnce(t *testing.T) {
	refusal := &proof.InvalidProofError{Reason: proof.ReasonDate, Detail: "more than 5m off"}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"proof package refusal", refusal, "invalid proof: date: more than 5m off"},
		{"wrapped refusal", fmt.Errorf("authenticate: %w", refusal), "authenticate: invalid proof: date: more than 5m off"},
		{"door refusal", errors.New("no proof header"), "invalid proof: no proof header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := authError(tt.err)
			if got := err.Error(); got != tt.want || strings.Count(got, "invalid proof") != 1 {
				t.Errorf("got %q, want %q (the prefix once)", got, tt.want)
			}
			if status, _, _ := classifyTeam(err); status != 401 {
				t.Errorf("status %d, want 401", status)
			}
		})
	}
}
