package teamclient

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/session"
)

// blockInput is the body of POST /v1/users/block.
type blockInput struct {
	UserARN    string `json:"user_arn"`
	Reason     string `json:"reason"`
	ForSeconds int64  `json:"for_seconds"`
}

type blockAnswer struct {
	Block   *session.Block     `json:"block"`
	Revoked []*session.Session `json:"revoked"`
}

// BlockUser blocks userARN for forDuration (0: until lifted) and revokes
// their active sessions (POST /v1/users/block); approvers only.
func (c *Client) BlockUser(ctx context.Context, userARN, reason string, forDuration time.Duration) (*broker.UserRevocation, error) {
	if forDuration < 0 || forDuration%time.Second != 0 {
		return nil, fmt.Errorf("%w: block duration %s is not a whole number of seconds", session.ErrInvalid, forDuration)
	}
	var out blockAnswer
	in := blockInput{UserARN: userARN, Reason: reason, ForSeconds: seconds(forDuration)}
	if err := c.call(ctx, http.MethodPost, "/v1/users/block", nil, in, &out, kindSession, true); err != nil {
		return nil, err
	}
	if out.Block == nil || session.FoldARN(out.Block.UserARN) != session.FoldARN(userARN) {
		return nil, fmt.Errorf("%w: POST /v1/users/block: the block names another user", ErrBadAnswer)
	}
	return &broker.UserRevocation{Block: out.Block, Revoked: out.Revoked}, nil
}

type unblockInput struct {
	UserARN string `json:"user_arn"`
}

// UnblockUser lifts the block of userARN in force now
// (POST /v1/users/unblock); approvers only. No block in force matches
// session.ErrNotFound.
func (c *Client) UnblockUser(ctx context.Context, userARN string) error {
	var out struct {
		UserARN string `json:"user_arn"`
		Status  string `json:"status"`
	}
	return c.call(ctx, http.MethodPost, "/v1/users/unblock", nil, unblockInput{UserARN: userARN}, &out, kindSession, true)
}
