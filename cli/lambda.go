package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/sentinel-cli/sentinel/server"
)

// ServeHandlerBuilder builds the team service's HTTP handler from the
// service config file at configPath. The service's decision log goes to
// stdout when its config says so (on Lambda, stdout is CloudWatch Logs).
type ServeHandlerBuilder func(ctx context.Context, configPath string, stdout io.Writer) (http.Handler, error)

// OnLambda reports whether the process was started by the AWS Lambda
// runtime as its bootstrap: the runtime API address is set (runtimeAPI is
// $AWS_LAMBDA_RUNTIME_API) and there are no arguments. A command typed
// with arguments inside a Lambda environment stays a command.
func OnLambda(runtimeAPI string, args []string) bool {
	return runtimeAPI != "" && len(args) == 0
}

// LambdaMain serves the team API on AWS Lambda: it builds the handler
// with build from configPath (the caller passes $SENTINEL_SERVE_CONFIG:
// the bootstrap gets no arguments) and hands it to lambda.Start behind
// server.LambdaHandler, which accepts function URL and HTTP API 2.0
// events. It returns only when it cannot start, with the exit code, after
// one line on stderr; Lambda then reports the init failure.
func LambdaMain(configPath string, build ServeHandlerBuilder, stdout, stderr io.Writer) int {
	h, err := lambdaHandler(context.Background(), configPath, build, stdout, stderr)
	if err != nil {
		return Report(stderr, err)
	}
	lambda.Start(h)
	return 1 // lambda.Start does not return
}

// lambdaHandler builds what LambdaMain starts.
func lambdaHandler(ctx context.Context, configPath string, build ServeHandlerBuilder, stdout, stderr io.Writer) (*server.Lambda, error) {
	if build == nil {
		return nil, errors.New("serve on AWS Lambda: this build has no team service handler")
	}
	if configPath == "" {
		return nil, &ExitError{Code: 2, Err: errors.New("serve on AWS Lambda: SENTINEL_SERVE_CONFIG is not set"),
			Hint: "set the function's environment variable SENTINEL_SERVE_CONFIG to the service config file"}
	}
	h, err := build(ctx, configPath, stdout)
	if err != nil {
		return nil, fmt.Errorf("serve on AWS Lambda: %w", err)
	}
	// Handler panics go to stderr, which Lambda also sends to CloudWatch.
	return server.LambdaHandler(h, server.LambdaOptions{ErrorLog: log.New(stderr, "", 0)}), nil
}
