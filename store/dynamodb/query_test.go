package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// cancelled builds a cancelled-transaction error with the given reason
// codes, wrapped as the SDK wraps it.
func cancelled(codes ...string) error {
	reasons := make([]types.CancellationReason, len(codes))
	for i, c := range codes {
		reasons[i] = types.CancellationReason{Code: aws.String(c)}
	}
	return fmt.Errorf("operation error DynamoDB: TransactWriteItems: %w", &types.TransactionCanceledException{CancellationReasons: reasons})
}

func TestIsTransactionConflict(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"other error", errors.New("boom"), false},
		{"conflict exception", fmt.Errorf("wrapped: %w", &types.TransactionConflictException{}), true},
		{"only conflicts", cancelled("TransactionConflict", "None"), true},
		{"conflict and a failed condition", cancelled("TransactionConflict", "ConditionalCheckFailed"), false},
		{"only a failed condition", cancelled("ConditionalCheckFailed", "None"), false},
		{"no reasons", cancelled(), false},
	}
	for _, tt := range tests {
		if got := isTransactionConflict(tt.err); got != tt.want {
			t.Errorf("%s: isTransactionConflict = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRetryTransactionConflicts(t *testing.T) {
	conflict := cancelled("TransactionConflict", "None")
	failed := cancelled("ConditionalCheckFailed", "None")
	tests := []struct {
		name      string
		results   []error // what successive attempts return; the last repeats
		wantCalls int
		wantErr   error
	}{
		{"success at once", []error{nil}, 1, nil},
		{"conflicts then success", []error{conflict, conflict, nil}, 3, nil},
		{"conflict then a real failure", []error{conflict, failed}, 2, failed},
		{"real failure is not retried", []error{failed}, 1, failed},
		{"conflicts forever give up", []error{conflict}, conflictAttempts, conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := retryTransactionConflicts(t.Context(), func() error {
				r := tt.results[min(calls, len(tt.results)-1)]
				calls++
				return r
			})
			if calls != tt.wantCalls || err != tt.wantErr {
				t.Fatalf("got %d calls and %v, want %d calls and %v", calls, err, tt.wantCalls, tt.wantErr)
			}
		})
	}
}

func TestRetryTransactionConflictsStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := 0
	conflict := cancelled("TransactionConflict")
	err := retryTransactionConflicts(ctx, func() error { calls++; return conflict })
	if calls != 1 || err != conflict {
		t.Fatalf("with a cancelled context: %d calls and %v, want 1 call and the conflict", calls, err)
	}
}
