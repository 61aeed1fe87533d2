// Command sts-standin serves the fakests STS stand-in on a loopback
// address, for the offline demo of sentinel and for the AWS CLI tests:
//
//	sts-standin --listen 127.0.0.1:8911 --users users.json
//
// users.json lists the long-lived access keys it knows:
//
//	[{"access_key_id": "AKIA...", "arn": "arn:aws:iam::111122223333:user/alice",
//	  "account": "111122223333", "mfa_serial": "...", "mfa_code": "123456"}]
//
// An entry may also give "secret_access_key" (a fake test secret): the
// stand-in then checks the SigV4 signatures of that user and of the
// credentials issued to it, as STS does (fakests.Server.AddUserWithSecret).
// Without it, the user is known by access key ID alone. The file holds test
// secrets, so it is refused unless only its owner can read it.
//
// It prints "listening on http://ADDR" on stdout once ready (with the real
// port when given port 0), logs one line per call on stderr, and stops on
// SIGINT or SIGTERM.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"github.com/sentinel-cli/sentinel/internal/fakests"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "sts-standin: %v\n", err)
		stop()
		os.Exit(1)
	}
}

// user is one entry of users.json.
type user struct {
	AccessKeyID string `json:"access_key_id"`
	ARN         string `json:"arn"`
	Account     string `json:"account"`
	MFASerial   string `json:"mfa_serial"`
	MFACode     string `json:"mfa_code"`
	// Secret is optional; with it, signatures are checked.
	Secret string `json:"secret_access_key"`
}

// Shapes of the users.json fields, checked so that a typo fails at start
// rather than as a puzzling InvalidClientTokenId later.
var (
	accessKeyIDPattern = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	accountPattern     = regexp.MustCompile(`^\d{12}$`)
)

// shutdownTimeout bounds how long a stop waits for requests in flight.
const shutdownTimeout = 5 * time.Second

// run parses args, serves the stand-in until ctx is done, and returns why it
// could not start or serve.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("sts-standin", flag.ContinueOnError)
	flags.SetOutput(stderr)
	listen := flags.String("listen", "127.0.0.1:0", "loopback `address` to listen on, such as 127.0.0.1:8911 (port 0 picks a free one)")
	usersPath := flags.String("users", "", "`file` listing the known access keys as JSON (required)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if *usersPath == "" {
		return errors.New("--users is required")
	}
	if err := checkLoopback(*listen); err != nil {
		return err
	}
	users, err := loadUsers(*usersPath)
	if err != nil {
		return err
	}

	sts := fakests.NewUnstarted()
	for _, u := range users {
		if u.Secret != "" {
			sts.AddUserWithSecret(u.AccessKeyID, u.Secret, u.ARN, u.Account)
		} else {
			sts.AddUser(u.AccessKeyID, u.ARN, u.Account)
		}
		if u.MFASerial != "" {
			sts.AddMFA(u.AccessKeyID, u.MFASerial, u.MFACode)
		}
	}
	logger := log.New(stderr, "", log.LUTC|log.LstdFlags)
	sts.SetCallHook(func(c fakests.Call) { logger.Print(describe(c)) })

	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	server := &http.Server{Handler: sts.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	fmt.Fprintf(stdout, "listening on http://%s\n", listener.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Close the stand-in first so that requests held back by a delay end.
	sts.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// checkLoopback refuses any listen address but a loopback IP and a port:
// the stand-in hands out credentials to whoever asks and must not be
// reachable from other machines. Names such as localhost are refused too,
// as they may resolve elsewhere.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--listen %q: only a loopback IP address (such as 127.0.0.1) is allowed", addr)
	}
	return nil
}

// loadUsers reads and checks users.json.
func loadUsers(path string) ([]user, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var users []user
	if err := dec.Decode(&users); err != nil {
		return nil, fmt.Errorf("parse users %s: %w", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("parse users %s: trailing data after the list", path)
	}
	seen := make(map[string]bool)
	for i, u := range users {
		if u.Secret != "" {
			info, err := os.Stat(path)
			if err != nil {
				return nil, fmt.Errorf("users %s: %w", path, err)
			}
			if info.Mode().Perm()&0o077 != 0 {
				return nil, fmt.Errorf("users %s: holds secrets but others may read it (chmod 600)", path)
			}
		}
		switch {
		case !accessKeyIDPattern.MatchString(u.AccessKeyID):
			return nil, fmt.Errorf("users %s: entry %d: access_key_id must be 16-128 upper-case letters and digits", path, i)
		case seen[u.AccessKeyID]:
			return nil, fmt.Errorf("users %s: entry %d: access_key_id %s is listed twice", path, i, u.AccessKeyID)
		case u.ARN == "":
			return nil, fmt.Errorf("users %s: entry %d: arn is required", path, i)
		case !accountPattern.MatchString(u.Account):
			return nil, fmt.Errorf("users %s: entry %d: account must be 12 digits", path, i)
		case (u.MFASerial == "") != (u.MFACode == ""):
			return nil, fmt.Errorf("users %s: entry %d: mfa_serial and mfa_code go together", path, i)
		}
		seen[u.AccessKeyID] = true
	}
	return users, nil
}

// describe renders one call for the log. Values come from the client, so
// they are quoted to keep one call on one line. The MFA code and anything
// secret are left out.
func describe(c fakests.Call) string {
	return fmt.Sprintf("action=%q status=%d error=%q caller=%q role=%q source_identity=%q duration=%q",
		c.Action, c.Status, c.ErrorCode, c.CallerARN,
		c.Params.Get("RoleArn"), c.Params.Get("SourceIdentity"), c.Params.Get("DurationSeconds"))
}
