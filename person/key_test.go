package person

import (
	"errors"
	"testing"
)

func TestOf(t *testing.T) {
	tests := []struct {
		arn       string
		kind      Kind
		value     string
		name      string
		wantError bool
	}{
		{"arn:aws:iam::111122223333:user/Alice", KindUser, "arn:aws:iam::111122223333:user/alice", "alice", false},
		{"arn:aws:iam::111122223333:user/eng/bob", KindUser, "arn:aws:iam::111122223333:user/eng/bob", "bob", false},
		{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/Alice", KindSSO, "sso:alice", "alice", false},
		{"arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_ReadOnly_99/alice", KindSSO, "sso:alice", "alice", false},
		{"arn:aws:sts::111122223333:assumed-role/CI/alice", KindRole, "arn:aws:sts::111122223333:assumed-role/ci", "ci", false},
		{"arn:aws:sts::111122223333:assumed-role/CI/bob", KindRole, "arn:aws:sts::111122223333:assumed-role/ci", "ci", false},
		{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_/alice", KindRole, "arn:aws:sts::111122223333:assumed-role/awsreservedsso_", "awsreservedsso_", false},
		{"arn:aws:sts::111122223333:federated-user/carol", KindFederated, "arn:aws:sts::111122223333:federated-user", "federated-user", false},
		{"arn:aws:iam::111122223333:root", KindRoot, "arn:aws:iam::111122223333:root", "root", false},
		{"", 0, "", "", true},
		{"alice", 0, "", "", true},
		{"arn:aws:iam::111122223333:role/Admin", 0, "", "", true},
		{"arn:aws:iam::1111:user/alice", 0, "", "", true},
		{"arn:aws:iam::111122223333:user//alice", 0, "", "", true},
		{"arn:aws:sts::111122223333:assumed-role/CI/a/b", 0, "", "", true},
		{"arn:aws:iam:us-east-1:111122223333:user/alice", 0, "", "", true},
		{"arn:gcp:iam::111122223333:user/alice", 0, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			k, err := Of(tt.arn)
			if tt.wantError {
				if !errors.Is(err, ErrNotPrincipal) {
					t.Fatalf("Of(%q) = %+v, %v; want ErrNotPrincipal", tt.arn, k, err)
				}
				return
			}
			if err != nil || k.Kind != tt.kind || k.Value != tt.value || k.Name != tt.name {
				t.Fatalf("Of(%q) = %+v, %v; want kind %d value %q name %q", tt.arn, k, err, tt.kind, tt.value, tt.name)
			}
		})
	}
}

func TestSame(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/ALICE", true},
		{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::444455556666:user/alice", false},
		{"arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/CI/alice", false},
		{"arn:aws:sts::111122223333:assumed-role/CI/alice", "arn:aws:sts::111122223333:assumed-role/CI/mallory", true},
		{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_A_1/alice", "arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_B_2/Alice", true},
		{"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_A_1/alice", "arn:aws:iam::111122223333:user/alice", false},
		{"", "", false},
		{"junk", "JUNK", true},
		{"junk", "", false},
	}
	for _, tt := range tests {
		if got := Same(tt.a, tt.b); got != tt.want {
			t.Errorf("Same(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func FuzzOf(f *testing.F) {
	f.Add("arn:aws:iam::111122223333:user/alice")
	f.Add("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_A_1/alice")
	f.Add("arn:aws:sts::111122223333:assumed-role/CI/x")
	f.Fuzz(func(t *testing.T, arn string) {
		k, err := Of(arn)
		if err != nil {
			return
		}
		if k.Value == "" || k.Account == "" || k.Name == "" {
			t.Fatalf("Of(%q) = %+v: empty field", arn, k)
		}
		if k2, err := Of(arn); err != nil || k2 != k {
			t.Fatalf("Of(%q) not deterministic", arn)
		}
	})
}
