// Command echo is a Lambda bootstrap for the emulator tests: it serves a
// trivial http.Handler through cli.LambdaMain (so server.LambdaHandler and
// lambda.Start), the way sentinel serves the team API on Lambda. Its
// "config" is a file whose one line is the server ID.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/sentinel-cli/sentinel/cli"
)

func main() {
	if !cli.OnLambda(os.Getenv("AWS_LAMBDA_RUNTIME_API"), os.Args[1:]) {
		fmt.Fprintln(os.Stderr, "echo: run me as a Lambda bootstrap")
		os.Exit(2)
	}
	os.Exit(cli.LambdaMain(os.Getenv("SENTINEL_SERVE_CONFIG"), build, os.Stdout, os.Stderr))
}

func build(_ context.Context, configPath string, stdout io.Writer) (http.Handler, error) {
	data, err := os.ReadFile(configPath)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	serverID := strings.TrimSpace(string(data))
	if serverID == "" {
		return nil, errors.New("load config: no server ID")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /v1/info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"server_id": serverID})
	})
	mux.HandleFunc("POST /v1/echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"code": "BadRequest", "message": "unreadable body"})
			return
		}
		fmt.Fprintf(stdout, "echo: %s %s %d bytes\n", r.Method, r.URL.Path, len(body))
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1"})
		writeJSON(w, http.StatusOK, map[string]any{
			"path_with_query": r.URL.RequestURI(), "body": body, "proof": r.Header.Get("X-Sentinel-Proof"), "cookie": r.Header.Get("Cookie"),
		})
	})
	mux.HandleFunc("GET /v1/binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write([]byte{0, 0xff, 0xfe, 'x'})
	})
	mux.HandleFunc("GET /v1/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("echo: deliberate panic")
	})
	return mux, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
