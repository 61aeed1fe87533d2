package cli

import (
	"context"
	"time"

	"github.com/sentinel-cli/sentinel/breakglass"
	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/policy"
	"github.com/sentinel-cli/sentinel/request"
	"github.com/sentinel-cli/sentinel/session"
	"github.com/sentinel-cli/sentinel/teamapi"
	"github.com/sentinel-cli/sentinel/teamclient"
	"github.com/sentinel-cli/sentinel/vault"
)

// Operations are what sentinel offers a person, wherever the decision flow
// runs: on this machine (localOperations, the broker with the person's own
// keys) or in the team service (*teamclient.Client, with server: in the
// config). Commands take one from Globals.operations and never ask which.
// The actor is implied: the one whose keys identify the person.
type Operations interface {
	// Issue runs one credentials decision (exec, credentials, and every
	// refresh of exec --server).
	Issue(ctx context.Context, in broker.Input) (*broker.Grant, error)
	// Whoami says who the person is, as STS says it.
	Whoami(ctx context.Context) (vault.Identity, error)

	// Policy is the policy that decides for the person when it is read
	// on this machine; nil, without an error, where the team service
	// holds it.
	Policy() (*policy.Policy, error)

	CreateRequest(ctx context.Context, in broker.RequestInput) (*request.Request, error)
	ListRequests(ctx context.Context, q request.Query) ([]*request.Request, error)
	// ListReviewable lists the pending requests the person may approve
	// under the policy in force.
	ListReviewable(ctx context.Context) ([]*request.Request, error)
	// ResolveRequestID turns an ID or an unambiguous prefix of at least
	// broker.MinIDPrefix digits into a full request ID.
	ResolveRequestID(ctx context.Context, prefix string) (string, error)
	GetRequest(ctx context.Context, id string) (*request.Request, error)
	Review(ctx context.Context, id string, action request.Action, comment string) (*request.Request, error)
	// RequesterDecision is the policy's decision now for the requester
	// of r on its profile, and whether an approval could be used.
	RequesterDecision(ctx context.Context, r *request.Request) (policy.Decision, bool, error)
	CancelRequest(ctx context.Context, id string) (*request.Request, error)
	RevokeRequest(ctx context.Context, id, reason string) (*request.Request, error)

	OpenBreakglass(ctx context.Context, in broker.BreakglassInput) (*breakglass.Event, error)
	ListBreakglass(ctx context.Context, q breakglass.Query) ([]*breakglass.Event, error)
	GetBreakglass(ctx context.Context, id string) (*breakglass.Event, error)
	CloseBreakglass(ctx context.Context, id, reason string) (*breakglass.Event, error)

	// SyncAWS writes every role's SentinelRevocations policy again from
	// the revocation list (sessions sync-aws); approvers only.
	SyncAWS(ctx context.Context) ([]teamapi.SyncAWSResult, error)
	// SessionAWSDenies returns the AWS denies naming a session
	// (sessions show).
	SessionAWSDenies(ctx context.Context, id string) ([]teamapi.AWSDenyView, error)

	ListSessions(ctx context.Context, q session.Query) ([]*session.Session, error)
	GetSession(ctx context.Context, id string) (*session.Session, error)
	RevokeSession(ctx context.Context, id, reason string) (*session.Session, error)
	// EndServerSession marks a credential server's session expired once
	// its command has exited.
	EndServerSession(ctx context.Context, s *broker.ServerSession) error
	// BlockUser blocks userARN for forDuration (0: until lifted) and
	// revokes their active sessions; approvers only.
	BlockUser(ctx context.Context, userARN, reason string, forDuration time.Duration) (*broker.UserRevocation, error)
	// UnblockUser lifts the block of userARN in force now; approvers only.
	UnblockUser(ctx context.Context, userARN string) error
}

// Both implementations, checked at compile time.
var (
	_ Operations = (*localOperations)(nil)
	_ Operations = (*teamclient.Client)(nil)
)

// operations picks where the flow runs, once per command: the team
// service when the config names one, else the broker on this machine.
// profile is the profile whose base keys identify the person to the local
// broker ("" means the identity profile); the team service is always
// called with the identity profile's keys, since the profiles it vends are
// its catalogue's, not ~/.aws/config's.
func (g *Globals) operations(profile string) (Operations, error) {
	return g.pickOperations(profile, "")
}

// operationsWithKeys is operations for a command whose profile names the
// keys that identify the person in either place (whoami --profile): the
// team client signs its proofs with them.
func (g *Globals) operationsWithKeys(profile string) (Operations, error) {
	return g.pickOperations(profile, profile)
}

func (g *Globals) pickOperations(profile, proofProfile string) (Operations, error) {
	cfg, err := g.Config()
	if err != nil {
		return nil, err
	}
	if cfg.Server.Configured() {
		return g.teamClient(proofProfile)
	}
	return &localOperations{g: g, profile: profile}, nil
}

// onRequest resolves arg, a request ID or an unambiguous prefix of one,
// where the flow runs and hands act the operations and the full ID: the
// one path of every command that acts on one request.
func (g *Globals) onRequest(ctx context.Context, arg string, act func(ops Operations, id string) error) error {
	ops, err := g.operations("")
	if err != nil {
		return err
	}
	id, err := ops.ResolveRequestID(ctx, arg)
	if err != nil {
		return err
	}
	return act(ops, id)
}
