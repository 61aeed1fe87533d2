package dynamolocal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func TestLocateWithoutNpmInstall(t *testing.T) {
	if _, err := os.Stat("/usr/bin/java"); err != nil {
		// locate checks java first; this test is about the jar.
		t.Skip("java not installed")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	_, err := locate()
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("locate() error = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "run `npm ci`") || !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q should tell to run `npm ci` in %s", err, dir)
	}
}

func TestStartAnswersAndStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	started := time.Now()
	inst, err := Start(ctx)
	if errors.Is(err, ErrUnavailable) && !Required() {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("Start took %s", time.Since(started))
	if !strings.HasPrefix(inst.Endpoint(), "http://127.0.0.1:") {
		t.Errorf("Endpoint() = %q, want a 127.0.0.1 URL", inst.Endpoint())
	}
	client := newProbeClient(inst.Endpoint())
	if _, err := client.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables on a started instance: %v", err)
	}
	stopStart := time.Now()
	inst.Stop()
	t.Logf("Stop took %s", time.Since(stopStart))
	inst.Stop() // a second Stop must not block or panic
	select {
	case <-inst.exited:
	default:
		t.Fatal("process still running after Stop")
	}
	callCtx, callCancel := context.WithTimeout(ctx, 2*time.Second)
	defer callCancel()
	if _, err := client.ListTables(callCtx, &dynamodb.ListTablesInput{}); err == nil {
		t.Fatal("ListTables still answered after Stop")
	}
}
