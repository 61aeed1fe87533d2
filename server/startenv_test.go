package server

import (
	"errors"
	"strings"
	"testing"
)

func TestStartEnvChecks(t *testing.T) {
	const root = "/var/task"
	lambda := func(set map[string]string) StartEnv {
		return StartEnv{RuntimeAPI: "127.0.0.1:9001", TaskRoot: root, Set: set}
	}
	tests := []struct {
		name    string
		env     StartEnv
		allow   []string
		path    string
		wantVar string // "" when the service may start
	}{
		{"plain host, endpoint set", StartEnv{Set: map[string]string{"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1"}}, nil, "/etc/sentinel/serve.yaml", ""},
		{"plain host, exec wrapper", StartEnv{ExecWrapper: "/opt/wrap"}, nil, "/etc/serve.yaml", ExecWrapperVar},
		{"lambda, exec wrapper even if allowed elsewhere", StartEnv{ExecWrapper: "/opt/wrap", RuntimeAPI: "x", TaskRoot: root}, LambdaGuardedVars, root + "/serve.yaml", ExecWrapperVar},
		{"lambda, config in the package", lambda(nil), nil, root + "/serve.yaml", ""},
		{"lambda, config relative to the task root", lambda(nil), nil, "conf/serve.yaml", ""},
		{"lambda, config in /tmp", lambda(nil), nil, "/tmp/serve.yaml", ServeConfigVar},
		{"lambda, config escaping with ..", lambda(nil), nil, root + "/../tmp/serve.yaml", ServeConfigVar},
		{"lambda, config in a sibling named like the root", lambda(nil), nil, "/var/task-evil/serve.yaml", ServeConfigVar},
		{"lambda, config outside but allowed", lambda(nil), []string{ServeConfigVar}, "/opt/layer/serve.yaml", ""},
		{"lambda, no task root", StartEnv{RuntimeAPI: "x"}, nil, "/var/task/serve.yaml", "LAMBDA_TASK_ROOT"},
		{"lambda, STS endpoint", lambda(map[string]string{"AWS_ENDPOINT_URL_STS": "https://evil"}), nil, root + "/serve.yaml", "AWS_ENDPOINT_URL_STS"},
		{"lambda, DynamoDB endpoint", lambda(map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": "https://evil"}), []string{"AWS_ENDPOINT_URL_STS"}, root + "/serve.yaml", "AWS_ENDPOINT_URL_DYNAMODB"},
		{"lambda, STS endpoint allowed", lambda(map[string]string{"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1"}), []string{"AWS_ENDPOINT_URL_STS"}, root + "/serve.yaml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &ServeConfig{AllowEnv: tt.allow}
			err := CheckExecWrapper(tt.env)
			if err == nil {
				err = c.CheckLambdaEnv(tt.env, tt.path)
			}
			var ue *UnsafeEnvError
			switch {
			case tt.wantVar == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantVar != "" && (!errors.As(err, &ue) || ue.Var != tt.wantVar || !errors.Is(err, ErrUnsafeEnv)):
				t.Fatalf("err = %v, want a refusal naming %s", err, tt.wantVar)
			case err != nil && (strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), tt.wantVar)):
				t.Fatalf("message %q: want one line starting with the variable", err)
			}
		})
	}
}

func TestAllowEnvIsChecked(t *testing.T) {
	base := "server_id: s\npolicy: p.yaml\naccounts: [\"111122223333\"]\nstore: {backend: local, path: s.db}\nlog: {stdout: true}\n"
	for _, tt := range []struct {
		allow, want string
	}{
		{"[AWS_ENDPOINT_URL_STS]", ""},
		{"[AWS_LAMBDA_EXEC_WRAPPER]", "cannot be allowed"},
		{"[PATH]", "is not one of"},
		{"[AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_STS]", "twice"},
	} {
		_, err := ParseServeConfig([]byte(base + "allow_env: " + tt.allow + "\n"))
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("allow_env %s: %v, want %q", tt.allow, err, tt.want)
		}
	}
}
