package server

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// On AWS Lambda the function is the service: whoever can change its
// configuration (lambda:UpdateFunctionConfiguration) could otherwise make
// it run their code (a layer with AWS_LAMBDA_EXEC_WRAPPER), read another
// config (SENTINEL_SERVE_CONFIG pointed outside the signed package) or
// talk to their own STS or DynamoDB (an endpoint variable), and so vend
// whatever they like with the service's role. The service refuses to
// start in those cases; the checks are here, the environment is read
// once by the caller (cli) and passed in as StartEnv.

// ExecWrapperVar is the Lambda runtime's wrapper script variable. It has
// no use outside Lambda, so the service refuses it everywhere.
const ExecWrapperVar = "AWS_LAMBDA_EXEC_WRAPPER"

// ServeConfigVar names the service config on Lambda.
const ServeConfigVar = "SENTINEL_SERVE_CONFIG"

// LambdaGuardedVars are the variables that redirect where the service
// reads its config or sends its AWS calls. On Lambda each is refused
// unless the service config lists it under allow_env:
// SENTINEL_SERVE_CONFIG only when it names a file outside
// LAMBDA_TASK_ROOT, the others whenever they are set.
var LambdaGuardedVars = []string{
	ServeConfigVar,
	"AWS_ENDPOINT_URL",
	"AWS_ENDPOINT_URL_STS",
	"AWS_ENDPOINT_URL_DYNAMODB",
	"AWS_ENDPOINT_URL_SECRETS_MANAGER",
	"AWS_ENDPOINT_URL_SSM",
	"AWS_CA_BUNDLE",
	"HTTPS_PROXY",
	"https_proxy",
}

// StartEnv is what the start-up checks need from the process
// environment, read once at start by the caller.
type StartEnv struct {
	// ExecWrapper is $AWS_LAMBDA_EXEC_WRAPPER.
	ExecWrapper string
	// RuntimeAPI is $AWS_LAMBDA_RUNTIME_API: set only on Lambda.
	RuntimeAPI string
	// TaskRoot is $LAMBDA_TASK_ROOT, the unpacked deployment package.
	TaskRoot string
	// Set holds the values of LambdaGuardedVars (except
	// SENTINEL_SERVE_CONFIG) that are set and not empty.
	Set map[string]string
}

// OnLambda reports whether the process runs under the Lambda runtime.
func (e StartEnv) OnLambda() bool { return e.RuntimeAPI != "" }

// ErrUnsafeEnv is matched by every refusal of the start-up checks.
var ErrUnsafeEnv = errors.New("unsafe environment")

// UnsafeEnvError names the variable the service refuses to start with.
type UnsafeEnvError struct {
	Var    string
	Reason string
}

func (e *UnsafeEnvError) Error() string { return e.Var + " " + e.Reason }

// Is makes errors.Is(err, ErrUnsafeEnv) true.
func (e *UnsafeEnvError) Is(target error) bool { return target == ErrUnsafeEnv }

// CheckExecWrapper refuses AWS_LAMBDA_EXEC_WRAPPER wherever the service
// runs: on Lambda it runs another program before (and around) the
// bootstrap; elsewhere it has no use, and being set means the
// environment is not the one deployed.
func CheckExecWrapper(env StartEnv) error {
	if env.ExecWrapper != "" {
		return &UnsafeEnvError{Var: ExecWrapperVar, Reason: "is set: the Lambda runtime would start another program before the service"}
	}
	return nil
}

// CheckLambdaEnv applies the Lambda-only checks once the config at
// configPath (the file actually read) is known: configPath must lie
// inside LAMBDA_TASK_ROOT, and no guarded variable may be set, unless
// allow_env lists it. Off Lambda it accepts everything (a plain host's
// operator owns its environment).
func (c *ServeConfig) CheckLambdaEnv(env StartEnv, configPath string) error {
	if !env.OnLambda() {
		return nil
	}
	if !c.allows(ServeConfigVar) {
		if err := insideTaskRoot(env.TaskRoot, configPath); err != nil {
			return err
		}
	}
	for _, name := range LambdaGuardedVars {
		if _, set := env.Set[name]; set && !c.allows(name) {
			return &UnsafeEnvError{Var: name, Reason: "is set on AWS Lambda: it redirects the service's AWS calls (list it under allow_env: in the service config if that is intended)"}
		}
	}
	return nil
}

func (c *ServeConfig) allows(name string) bool { return slices.Contains(c.AllowEnv, name) }

// insideTaskRoot refuses a config path outside root (or no root at all).
func insideTaskRoot(root, path string) error {
	if root == "" || !filepath.IsAbs(root) {
		return &UnsafeEnvError{Var: "LAMBDA_TASK_ROOT", Reason: "is not set to an absolute path on AWS Lambda: the service cannot tell that its config is in the deployment package"}
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path) // the runtime starts the bootstrap in the task root
	}
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(path))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return &UnsafeEnvError{Var: ServeConfigVar, Reason: fmt.Sprintf("names a file outside LAMBDA_TASK_ROOT (%s): the service reads its config from the signed deployment package only", root)}
	}
	return nil
}

// checkAllowEnv accepts only the variables allow_env can vouch for.
func checkAllowEnv(list []string) error {
	seen := map[string]bool{}
	for _, name := range list {
		if name == ExecWrapperVar {
			return fmt.Errorf("allow_env: %s cannot be allowed", ExecWrapperVar)
		}
		if !slices.Contains(LambdaGuardedVars, name) {
			return fmt.Errorf("allow_env: %q is not one of %s", name, strings.Join(LambdaGuardedVars, ", "))
		}
		if seen[name] {
			return fmt.Errorf("allow_env: %s is listed twice", name)
		}
		seen[name] = true
	}
	return nil
}
