package cli

import (
	"slices"
	"testing"
)

func TestDefaultProfile(t *testing.T) {
	tests := []struct {
		name       string
		profile    string
		command    []string
		argv       []string
		awsProfile string
		want       string
		wantCmd    []string
	}{
		{"named", "dev", []string{"env"}, []string{"sentinel", "exec", "dev", "--", "env"}, "prod", "dev", []string{"env"}},
		{"none, AWS_PROFILE", "", nil, []string{"sentinel", "exec"}, "prod", "prod", nil},
		{"none, default", "", nil, []string{"sentinel", "exec"}, "", "default", nil},
		{"-- cmd takes AWS_PROFILE", "env", []string{"-x"}, []string{"sentinel", "exec", "--", "env", "-x"}, "prod", "prod", []string{"env", "-x"}},
		{"-- cmd with flags before", "aws", []string{"s3", "ls"}, []string{"sentinel", "exec", "--duration", "1h", "--", "aws", "s3", "ls"}, "", "default", []string{"aws", "s3", "ls"}},
		{"profile named like the command", "aws", []string{"aws"}, []string{"sentinel", "exec", "aws", "--", "aws"}, "prod", "aws", []string{"aws"}},
		{"no --", "dev", nil, []string{"sentinel", "exec", "dev"}, "prod", "dev", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cmd := defaultProfile(tt.profile, tt.command, tt.argv, tt.awsProfile)
			if got != tt.want || !slices.Equal(cmd, tt.wantCmd) {
				t.Errorf("defaultProfile = %q %q, want %q %q", got, cmd, tt.want, tt.wantCmd)
			}
		})
	}
}
