// Package lambdarie runs a Lambda bootstrap binary under the AWS Lambda
// Runtime Interface Emulator (aws-lambda-rie) for tests, so that the
// Lambda path is exercised for real: the runtime API, lambda.Start, the
// event and response JSON, the process start-up of a cold start.
//
// The emulator is installed by `make deps` (scripts/install-test-deps.sh,
// pinned) into bin/ at the repository root. It listens on 0.0.0.0:8080 by
// default; this package always passes both of its addresses, on
// 127.0.0.1, and sends traffic only there:
//
//	rie, err := lambdarie.Locate()
//	switch {
//	case errors.Is(err, lambdarie.ErrUnavailable) && !lambdarie.Required():
//		t.Skip(err) // says how to install it
//	case err != nil:
//		t.Fatal(err)
//	}
//	bootstrap, err := lambdarie.Build(ctx, "./testdata/echo", t.TempDir())
//	em, err := lambdarie.Start(ctx, lambdarie.Options{RIE: rie, Bootstrap: bootstrap})
//	defer em.Stop()
//	resp, err := em.Invoke(ctx, lambdarie.FunctionURLEvent("GET", "/healthz", nil, nil))
//
// The emulator starts the bootstrap on the first invocation, as Lambda
// does on a cold start.
package lambdarie
