package dynamolocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// One Shared starts one instance however often it is asked, and Stop ends
// it.
func TestSharedStartsOnce(t *testing.T) {
	var s Shared
	first := s.Endpoint(t)
	if again := s.Endpoint(t); again != first {
		t.Fatalf("second Endpoint %q, want the first %q", again, first)
	}
	if _, err := newProbeClient(first).ListTables(context.Background(), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	s.Stop()
	select {
	case <-s.inst.exited:
	default:
		t.Fatal("process still running after Stop")
	}
}
