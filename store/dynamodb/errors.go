package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TableNotFoundError means a table the store needs does not exist.
// `sentinel init tables` creates it.
type TableNotFoundError struct {
	// Table is the missing table's name.
	Table string
	// Err is the SDK's error.
	Err error
}

// Error says which table is missing and what to do about it.
func (e *TableNotFoundError) Error() string {
	return fmt.Sprintf("DynamoDB table %s not found: run `sentinel init tables`", e.Table)
}

// Unwrap returns the SDK's error.
func (e *TableNotFoundError) Unwrap() error { return e.Err }

// storeError gives an SDK error a short, one-line message while keeping the
// full error reachable through errors.Is and errors.As.
type storeError struct {
	msg string
	err error
}

func (e *storeError) Error() string { return e.msg }
func (e *storeError) Unwrap() error { return e.err }

// throttleCodes are the error codes with which DynamoDB says "slow down".
// The SDK has already retried them when they reach this package.
var throttleCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
	"LimitExceededException":                 true,
}

// describe turns an error from a DynamoDB call into one clear line that
// starts with what the store was doing (what) and names the table. parent
// is the caller's context, to tell the store's own timeout from the
// caller's cancellation.
func (s *Store) describe(parent context.Context, what, table string, err error) error {
	var (
		apiErr   smithy.APIError
		notFound *types.ResourceNotFoundException
		sendErr  *smithyhttp.RequestSendError
	)
	switch {
	case parent.Err() != nil:
		return fmt.Errorf("%s: %w", what, parent.Err())
	case errors.Is(err, context.DeadlineExceeded):
		return &storeError{msg: fmt.Sprintf("%s: DynamoDB did not answer within %s", what, s.timeout), err: err}
	case errors.As(err, &notFound):
		return fmt.Errorf("%s: %w", what, &TableNotFoundError{Table: table, Err: err})
	case errors.As(err, &sendErr):
		return &storeError{msg: fmt.Sprintf("%s: cannot reach DynamoDB: %s", what, networkCause(sendErr)), err: err}
	case errors.As(err, &apiErr) && throttleCodes[apiErr.ErrorCode()]:
		return &storeError{msg: fmt.Sprintf("%s: DynamoDB is throttling calls to table %s (%s), even after retries", what, table, apiErr.ErrorCode()), err: err}
	case errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationException" && strings.Contains(apiErr.ErrorMessage(), "index"):
		return &storeError{msg: fmt.Sprintf("%s: DynamoDB table %s lacks an index sentinel needs (%s): run `sentinel init tables`", what, table, apiErr.ErrorMessage()), err: err}
	case errors.As(err, &apiErr):
		return &storeError{msg: fmt.Sprintf("%s: DynamoDB table %s: %s: %s", what, table, apiErr.ErrorCode(), apiErr.ErrorMessage()), err: err}
	default:
		return fmt.Errorf("%s: DynamoDB table %s: %w", what, table, err)
	}
}

// networkCause picks the most telling part of a failed send: the dial or
// DNS error rather than the SDK's wrapping of it.
func networkCause(sendErr *smithyhttp.RequestSendError) string {
	var (
		opErr  *net.OpError
		dnsErr *net.DNSError
	)
	switch {
	case errors.As(sendErr.Err, &opErr):
		return opErr.Error()
	case errors.As(sendErr.Err, &dnsErr):
		return dnsErr.Error()
	default:
		return sendErr.Err.Error()
	}
}

// conditionFailed reports whether err is a failed condition of a single
// write.
func conditionFailed(err error) (*types.ConditionalCheckFailedException, bool) {
	var ccf *types.ConditionalCheckFailedException
	ok := errors.As(err, &ccf)
	return ccf, ok
}

// cancellationReasons returns the per-item reasons of a cancelled
// transaction, in the order of its items, or nil if err is not one.
func cancellationReasons(err error) ([]types.CancellationReason, bool) {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return nil, false
	}
	return tce.CancellationReasons, true
}

// reasonIs reports whether reason i of a cancelled transaction has code.
func reasonIs(reasons []types.CancellationReason, i int, code string) bool {
	return i < len(reasons) && reasons[i].Code != nil && *reasons[i].Code == code
}
