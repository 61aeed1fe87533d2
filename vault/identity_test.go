package vault

import (
	"errors"
	"testing"
)

func TestParseIdentity(t *testing.T) {
	tests := []struct {
		arn, account string
		wantName     string
		wantAccount  string
		ok           bool
	}{
		{"arn:aws:iam::111122223333:user/alice", "111122223333", "alice", "111122223333", true},
		{"arn:aws:iam::111122223333:user/engineering/platform/bob", "", "bob", "111122223333", true},
		{"arn:aws:sts::111122223333:assumed-role/Admin/alice@example.com", "111122223333", "alice@example.com", "111122223333", true},
		{"arn:aws-us-gov:sts::111122223333:assumed-role/Admin/s1", "", "s1", "111122223333", true},
		{"arn:aws-cn:sts::111122223333:federated-user/carol", "", "carol", "111122223333", true},
		{"arn:aws:iam::111122223333:root", "111122223333", "root", "111122223333", true},

		{"", "", "", "", false},
		{"not-an-arn", "", "", "", false},
		{"arn:aws:iam::111122223333:role/Admin", "", "", "", false},
		{"arn:aws:iam::111122223333:user/", "", "", "", false},
		{"arn:aws:iam::111122223333:user//alice", "", "", "", false},
		{"arn:aws:sts::111122223333:assumed-role/Admin", "", "", "", false},
		{"arn:aws:sts::111122223333:assumed-role//s", "", "", "", false},
		{"arn:aws:sts::111122223333:assumed-role/Admin/s/extra", "", "", "", false},
		{"arn:aws:sts::111122223333:user/alice", "", "", "", false},
		{"arn:aws:iam::111122223333:federated-user/carol", "", "", "", false},
		{"arn:aws:iam:us-east-1:111122223333:user/alice", "", "", "", false},
		{"arn:aws:iam::1111:user/alice", "", "", "", false},
		{"arn:aws:iam::11112222333x:user/alice", "", "", "", false},
		{"arn:aws:iam::111122223333:user/alice", "999988887777", "", "", false},
		{"arn:gcp:iam::111122223333:user/alice", "", "", "", false},
		{"arn:aws:iam::111122223333:user/alice:x", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			id, err := ParseIdentity(tt.arn, tt.account, "AIDAEXAMPLE")
			if !tt.ok {
				if !errors.Is(err, ErrInvalidARN) {
					t.Fatalf("ParseIdentity(%q) = %+v, %v; want ErrInvalidARN", tt.arn, id, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseIdentity(%q): %v", tt.arn, err)
			}
			want := Identity{ARN: tt.arn, Account: tt.wantAccount, UserID: "AIDAEXAMPLE", Name: tt.wantName}
			if id != want {
				t.Errorf("ParseIdentity(%q) = %+v, want %+v", tt.arn, id, want)
			}
		})
	}
}
