package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestOnLambda(t *testing.T) {
	tests := []struct {
		runtimeAPI string
		args       []string
		want       bool
	}{
		{"127.0.0.1:9001", nil, true},
		{"127.0.0.1:9001", []string{}, true},
		{"127.0.0.1:9001", []string{"serve"}, false},
		{"", nil, false},
		{"", []string{"credentials", "prod"}, false},
	}
	for _, tt := range tests {
		if got := OnLambda(tt.runtimeAPI, tt.args); got != tt.want {
			t.Errorf("OnLambda(%q, %q) = %v, want %v", tt.runtimeAPI, tt.args, got, tt.want)
		}
	}
}

// TestLambdaMainRefuses: LambdaMain returns with one line and an exit code
// when it cannot build the handler, before it talks to any runtime API.
func TestLambdaMainRefuses(t *testing.T) {
	okBuild := func(context.Context, string, io.Writer) (http.Handler, error) { return http.NotFoundHandler(), nil }
	failBuild := func(context.Context, string, io.Writer) (http.Handler, error) {
		return nil, errors.New("load service config /etc/s.yaml: no such file")
	}
	tests := []struct {
		name   string
		config string
		build  ServeHandlerBuilder
		code   int
		want   string
	}{
		{"no builder", "/etc/s.yaml", nil, 1, "sentinel: serve on AWS Lambda: this build has no team service handler\n"},
		{"no config", "", okBuild, 2, "sentinel: serve on AWS Lambda: SENTINEL_SERVE_CONFIG is not set\nsentinel: hint: set the function's environment variable SENTINEL_SERVE_CONFIG"},
		{"builder fails", "/etc/s.yaml", failBuild, 1, "sentinel: serve on AWS Lambda: load service config /etc/s.yaml: no such file\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := LambdaMain(tt.config, tt.build, &stdout, &stderr); code != tt.code {
				t.Errorf("exit code %d, want %d", code, tt.code)
			}
			if !strings.HasPrefix(stderr.String(), tt.want) || stdout.Len() != 0 {
				t.Errorf("stderr %q stdout %q", stderr.String(), stdout.String())
			}
		})
	}
}

// TestLambdaHandlerBuilds: the builder gets the config path and stdout,
// and its handler is served behind the Lambda adapter.
func TestLambdaHandlerBuilds(t *testing.T) {
	var gotPath string
	build := func(_ context.Context, path string, stdout io.Writer) (http.Handler, error) {
		gotPath = path
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) }), nil
	}
	var stdout, stderr bytes.Buffer
	h, err := lambdaHandler(context.Background(), "/var/task/serve.yaml", build, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Invoke(context.Background(), []byte(`{"version":"2.0","rawPath":"/healthz","requestContext":{"http":{"method":"GET"}}}`))
	if err != nil || !strings.Contains(string(out), `"body":"/healthz"`) || gotPath != "/var/task/serve.yaml" {
		t.Errorf("out %s err %v path %q", out, err, gotPath)
	}
}
