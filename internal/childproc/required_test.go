package childproc_test

import (
	"testing"

	"github.com/sentinel-cli/sentinel/internal/childproc"
	"github.com/sentinel-cli/sentinel/internal/dynamolocal"
	"github.com/sentinel-cli/sentinel/internal/lambdarie"
)

// Required, and the two starters' Required with the variable each names:
// CI demands the dependency, and so does the variable set to 1.
func TestRequired(t *testing.T) {
	users := []struct {
		name     string
		demand   string
		required func() bool
	}{
		{"childproc", "CHILDPROC_TEST_DEMAND", func() bool { return childproc.Required("CHILDPROC_TEST_DEMAND") }},
		{"dynamolocal", "SENTINEL_REQUIRE_DYNAMODB", dynamolocal.Required},
		{"lambdarie", "SENTINEL_REQUIRE_LAMBDA_RIE", lambdarie.Required},
	}
	tests := []struct {
		name, ci, demand string
		want             bool
	}{
		{"nothing set", "", "", false},
		{"CI true", "true", "", true},
		{"CI 1", "1", "", true},
		{"CI false", "false", "", false},
		{"CI 0", "0", "", false},
		{"explicit require", "", "1", true},
		{"require other value", "", "yes", false},
	}
	for _, u := range users {
		for _, tt := range tests {
			t.Run(u.name+"/"+tt.name, func(t *testing.T) {
				t.Setenv("CI", tt.ci)
				t.Setenv(u.demand, tt.demand)
				if got := u.required(); got != tt.want {
					t.Errorf("Required() = %v, want %v", got, tt.want)
				}
			})
		}
	}
}
