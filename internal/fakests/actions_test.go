package fakests

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func TestGetCallerIdentityOfUser(t *testing.T) {
	h := newHarness(t)
	out, err := h.alice().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if got := aws.ToString(out.Arn); got != aliceARN {
		t.Errorf("Arn = %q, want %q", got, aliceARN)
	}
	if got := aws.ToString(out.Account); got != account {
		t.Errorf("Account = %q, want %q", got, account)
	}
	if got := aws.ToString(out.UserId); !strings.HasPrefix(got, "AIDA") || len(got) != 21 {
		t.Errorf("UserId = %q, want AIDA followed by 17 characters", got)
	}
}

func TestGetSessionToken(t *testing.T) {
	tests := []struct {
		name     string
		duration *int32
		want     time.Duration
	}{
		{"default duration", nil, 12 * time.Hour},
		{"shortest", aws.Int32(900), 15 * time.Minute},
		{"longest", aws.Int32(129600), 36 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.srv.SetNow(func() time.Time { return fixedNow })
			out, err := h.alice().GetSessionToken(context.Background(), &sts.GetSessionTokenInput{DurationSeconds: tt.duration})
			if err != nil {
				t.Fatalf("GetSessionToken: %v", err)
			}
			checkCredentials(t, out.Credentials, fixedNow.Add(tt.want))
			who, err := h.clientFor(out.Credentials).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatalf("GetCallerIdentity with session credentials: %v", err)
			}
			if got := aws.ToString(who.Arn); got != aliceARN {
				t.Errorf("session Arn = %q, want the user's %q", got, aliceARN)
			}
		})
	}
}

func TestAssumeRole(t *testing.T) {
	h := newHarness(t)
	h.srv.SetNow(func() time.Time { return fixedNow })
	out, err := h.alice().AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn:         aws.String("arn:aws:iam::444455556666:role/team/deploy"),
		RoleSessionName: aws.String("alice@example.com"),
		SourceIdentity:  aws.String("alice@example.com"),
		ExternalId:      aws.String("ext-id"),
		Tags:            []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}, {Key: aws.String("ticket"), Value: aws.String("")}},
	})
	if err != nil {
		t.Fatalf("AssumeRole: %v", err)
	}
	checkCredentials(t, out.Credentials, fixedNow.Add(time.Hour))
	wantARN := "arn:aws:sts::444455556666:assumed-role/deploy/alice@example.com"
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != wantARN {
		t.Errorf("AssumedRoleUser.Arn = %q, want %q", got, wantARN)
	}
	roleID := aws.ToString(out.AssumedRoleUser.AssumedRoleId)
	if !strings.HasPrefix(roleID, "AROA") || !strings.HasSuffix(roleID, ":alice@example.com") {
		t.Errorf("AssumedRoleId = %q, want AROA...:alice@example.com", roleID)
	}
	if got := aws.ToString(out.SourceIdentity); got != "alice@example.com" {
		t.Errorf("SourceIdentity = %q, want alice@example.com", got)
	}

	who, err := h.clientFor(out.Credentials).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with role credentials: %v", err)
	}
	if got := aws.ToString(who.Arn); got != wantARN {
		t.Errorf("caller Arn = %q, want %q", got, wantARN)
	}
	if got := aws.ToString(who.UserId); got != roleID {
		t.Errorf("caller UserId = %q, want %q", got, roleID)
	}
	if got := aws.ToString(who.Account); got != "444455556666" {
		t.Errorf("caller Account = %q, want the role's account", got)
	}

	calls := h.srv.CallsOf("AssumeRole")
	if len(calls) != 1 {
		t.Fatalf("recorded %d AssumeRole calls, want 1", len(calls))
	}
	p := calls[0].Params
	for key, want := range map[string]string{
		"Tags.member.1.Key": "team", "Tags.member.1.Value": "payments",
		"Tags.member.2.Key": "ticket", "Tags.member.2.Value": "",
		"SourceIdentity": "alice@example.com", "ExternalId": "ext-id",
	} {
		if got := p.Get(key); got != want || !p.Has(key) {
			t.Errorf("recorded %s = %q, want %q", key, got, want)
		}
	}
}

// checkCredentials checks the shape of issued credentials.
func checkCredentials(t *testing.T, c *types.Credentials, wantExpiration time.Time) {
	t.Helper()
	if c == nil {
		t.Fatal("no Credentials in the response")
	}
	if id := aws.ToString(c.AccessKeyId); !strings.HasPrefix(id, "ASIA") || len(id) != 20 {
		t.Errorf("AccessKeyId = %q, want ASIA followed by 16 characters", id)
	}
	if n := len(aws.ToString(c.SecretAccessKey)); n != 40 {
		t.Errorf("SecretAccessKey has %d characters, want 40", n)
	}
	if aws.ToString(c.SessionToken) == "" {
		t.Error("SessionToken is empty")
	}
	if got := aws.ToTime(c.Expiration); !got.Equal(wantExpiration) {
		t.Errorf("Expiration = %v, want %v", got, wantExpiration)
	}
}

func TestSuccessfulVariants(t *testing.T) {
	tests := []struct {
		name string
		// run makes the calls; any error fails the case.
		run func(ctx context.Context, h *harness) error
	}{
		{"GetSessionToken with the right MFA code", func(ctx context.Context, h *harness) error {
			h.srv.AddMFA(aliceKey, mfaSerial, mfaCode)
			_, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(mfaSerial), TokenCode: aws.String(mfaCode)})
			return err
		}},
		{"AssumeRole with the right MFA code", func(ctx context.Context, h *harness) error {
			h.srv.AddMFA(aliceKey, mfaSerial, mfaCode)
			_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) {
				in.SerialNumber, in.TokenCode = aws.String(mfaSerial), aws.String(mfaCode)
			}))
			return err
		}},
		{"MFA session assumes a role without a new code", func(ctx context.Context, h *harness) error {
			h.srv.AddMFA(aliceKey, mfaSerial, mfaCode)
			_, err := h.sessionOf(aliceKey, mfaSerial, mfaCode).AssumeRole(ctx, assumeInput(roleARN))
			return err
		}},
		{"longest AssumeRole duration", func(ctx context.Context, h *harness) error {
			_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(43200) }))
			return err
		}},
		{"role allowed to the caller", func(ctx context.Context, h *harness) error {
			h.srv.AllowRole(roleARN, bobARN, aliceARN)
			_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN))
			return err
		}},
		{"role allowed to the caller's account", func(ctx context.Context, h *harness) error {
			h.srv.AllowRole(roleARN, "arn:aws:iam::"+account+":root")
			_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN))
			return err
		}},
		{"role allowed to a role whose session chains", func(ctx context.Context, h *harness) error {
			h.srv.AllowRole(otherRoleARN, roleARN)
			_, err := h.roleSession(h.alice(), roleARN, "").AssumeRole(ctx, assumeInput(otherRoleARN))
			return err
		}},
		{"chained session keeps its SourceIdentity", func(ctx context.Context, h *harness) error {
			out, err := h.roleSession(h.alice(), roleARN, "alice").AssumeRole(ctx, assumeInput(otherRoleARN))
			if err != nil {
				return err
			}
			if got := aws.ToString(out.SourceIdentity); got != "alice" {
				return fmt.Errorf("chained SourceIdentity = %q, want alice", got)
			}
			return nil
		}},
		{"session credentials assume a role", func(ctx context.Context, h *harness) error {
			out, err := h.sessionOf(aliceKey, "", "").AssumeRole(ctx, assumeInput(roleARN))
			if err != nil {
				return err
			}
			want := "arn:aws:sts::444455556666:assumed-role/deploy/session"
			if got := aws.ToString(out.AssumedRoleUser.Arn); got != want {
				return fmt.Errorf("Arn = %q, want %q", got, want)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if err := tt.run(context.Background(), h); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// assumeInput returns a valid AssumeRole input for role, changed by edits.
func assumeInput(role string, edits ...func(*sts.AssumeRoleInput)) *sts.AssumeRoleInput {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("session")}
	for _, edit := range edits {
		edit(in)
	}
	return in
}

// manyTags returns n distinct session tags.
func manyTags(n int) []types.Tag {
	tags := make([]types.Tag, n)
	for i := range tags {
		tags[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	return tags
}

func TestErrors(t *testing.T) {
	const mfaMessage = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	tests := []struct {
		name        string
		setup       func(h *harness)
		call        func(ctx context.Context, h *harness) error
		wantCode    string
		wantStatus  int
		wantMessage string // checked when not empty
	}{
		{
			name: "SourceIdentity with a colon",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("sentinel:alice") }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "SourceIdentity with the aws: prefix",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("aws:alice") }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "SourceIdentity of one character",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("a") }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "SourceIdentity of 65 characters",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String(strings.Repeat("a", 65)) }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "AssumeRole DurationSeconds below 900",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(899) }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "AssumeRole DurationSeconds above 43200",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(43201) }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "chained AssumeRole above one hour",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.roleSession(h.alice(), roleARN, "").AssumeRole(ctx, assumeInput(otherRoleARN, func(in *sts.AssumeRoleInput) { in.DurationSeconds = aws.Int32(3601) }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "GetSessionToken DurationSeconds below 900",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(899)})
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "GetSessionToken DurationSeconds above 129600",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(129601)})
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "malformed RoleArn",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput("arn:aws:iam::1234:user/deploy"))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "RoleSessionName too short",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("a") }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "RoleSessionName with a colon",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.RoleSessionName = aws.String("a:b") }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "51 session tags",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.Tags = manyTags(51) }))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "tag keys differing only in case",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) {
					in.Tags = []types.Tag{{Key: aws.String("Team"), Value: aws.String("a")}, {Key: aws.String("team"), Value: aws.String("b")}}
				}))
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name: "unknown access key",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.client("AKIAUNKNOWNEXAMPLE01", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			},
			wantCode: "InvalidClientTokenId", wantStatus: 403,
		},
		{
			name: "long-lived key sent with a session token",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.client(aliceKey, "made-up-token").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			},
			wantCode: "InvalidClientTokenId", wantStatus: 403,
		},
		{
			name: "temporary key sent with another session token",
			call: func(ctx context.Context, h *harness) error {
				out, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{})
				if err != nil {
					return fmt.Errorf("setup GetSessionToken: %w", err)
				}
				_, err = h.client(aws.ToString(out.Credentials.AccessKeyId), "not-the-token").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			},
			wantCode: "InvalidClientTokenId", wantStatus: 403,
		},
		{
			name:  "GetSessionToken with a wrong MFA code",
			setup: func(h *harness) { h.srv.AddMFA(aliceKey, mfaSerial, mfaCode) },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(mfaSerial), TokenCode: aws.String("654321")})
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403, wantMessage: mfaMessage,
		},
		{
			name:  "GetSessionToken without MFA from a user with a device",
			setup: func(h *harness) { h.srv.AddMFA(aliceKey, mfaSerial, mfaCode) },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{})
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403, wantMessage: mfaMessage,
		},
		{
			name:  "AssumeRole with a serial but no code",
			setup: func(h *harness) { h.srv.AddMFA(aliceKey, mfaSerial, mfaCode) },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) { in.SerialNumber = aws.String(mfaSerial) }))
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403, wantMessage: mfaMessage,
		},
		{
			name:  "AssumeRole with another user's MFA serial",
			setup: func(h *harness) { h.srv.AddMFA(aliceKey, mfaSerial, mfaCode) },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN, func(in *sts.AssumeRoleInput) {
					in.SerialNumber, in.TokenCode = aws.String("arn:aws:iam::111122223333:mfa/bob"), aws.String(mfaCode)
				}))
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403, wantMessage: mfaMessage,
		},
		{
			name: "MFA code from a user without a device",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(mfaSerial), TokenCode: aws.String(mfaCode)})
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403, wantMessage: mfaMessage,
		},
		{
			name: "TokenCode that is not six digits",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(mfaSerial), TokenCode: aws.String("12a456")})
				return err
			},
			wantCode: "ValidationError", wantStatus: 400,
		},
		{
			name:  "AssumeRole of a denied role",
			setup: func(h *harness) { h.srv.DenyRole(roleARN) },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN))
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403,
			wantMessage: "User: " + aliceARN + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN,
		},
		{
			name:  "AssumeRole of a role trusting someone else",
			setup: func(h *harness) { h.srv.AllowRole(roleARN, bobARN) },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN))
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403,
		},
		{
			name:  "denial wins over an allow",
			setup: func(h *harness) { h.srv.AllowRole(roleARN, aliceARN); h.srv.DenyRole(roleARN) },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN))
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403,
		},
		{
			name: "chained session changing its SourceIdentity",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.roleSession(h.alice(), roleARN, "alice").AssumeRole(ctx, assumeInput(otherRoleARN, func(in *sts.AssumeRoleInput) { in.SourceIdentity = aws.String("mallory") }))
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403,
		},
		{
			name: "GetSessionToken from session credentials",
			call: func(ctx context.Context, h *harness) error {
				_, err := h.sessionOf(aliceKey, "", "").GetSessionToken(ctx, &sts.GetSessionTokenInput{})
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403,
		},
		{
			name:  "Throttling fault",
			setup: func(h *harness) { h.srv.SetFault("AssumeRole", 400, "Throttling", "Rate exceeded") },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().AssumeRole(ctx, assumeInput(roleARN))
				return err
			},
			wantCode: "Throttling", wantStatus: 400, wantMessage: "Rate exceeded",
		},
		{
			name:  "AccessDenied fault",
			setup: func(h *harness) { h.srv.SetFault("GetCallerIdentity", 403, "AccessDenied", "nope") },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			},
			wantCode: "AccessDenied", wantStatus: 403, wantMessage: "nope",
		},
		{
			name:  "InternalFailure fault",
			setup: func(h *harness) { h.srv.SetFault("GetSessionToken", 500, "InternalFailure", "boom") },
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{})
				return err
			},
			wantCode: "InternalFailure", wantStatus: 500, wantMessage: "boom",
		},
		{
			name: "failing randomness",
			setup: func(h *harness) {
				h.srv.randBytes = func(b []byte) error {
					if len(b) == 30 { // the secret access key
						return fmt.Errorf("entropy source broken")
					}
					return cryptoRandBytes(b)
				}
			},
			call: func(ctx context.Context, h *harness) error {
				_, err := h.alice().GetSessionToken(ctx, &sts.GetSessionTokenInput{})
				return err
			},
			wantCode: "InternalFailure", wantStatus: 500,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			err := tt.call(context.Background(), h)
			if err == nil {
				t.Fatalf("call succeeded, want %s", tt.wantCode)
			}
			code, message, status := apiErrorOf(t, err)
			if code != tt.wantCode || status != tt.wantStatus {
				t.Errorf("got %d %s (%s), want %d %s", status, code, message, tt.wantStatus, tt.wantCode)
			}
			if tt.wantMessage != "" && message != tt.wantMessage {
				t.Errorf("message = %q, want %q", message, tt.wantMessage)
			}
			// With retries off, the failing call is the last one recorded,
			// once, with the same outcome.
			calls := h.srv.Calls()
			last := calls[len(calls)-1]
			if last.Status != tt.wantStatus || last.ErrorCode != tt.wantCode {
				t.Errorf("recorded outcome %d %s, want %d %s", last.Status, last.ErrorCode, tt.wantStatus, tt.wantCode)
			}
			if len(calls) >= 2 {
				prev := calls[len(calls)-2]
				if prev.Status == last.Status && prev.ErrorCode == last.ErrorCode && prev.Action == last.Action {
					t.Errorf("the failing call looks retried: %+v", calls)
				}
			}
		})
	}
}
