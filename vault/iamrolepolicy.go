package vault

import (
	"context"
	"errors"
	"net/url"
)

// Errors of the role inline-policy calls that callers act on; every other
// failure matches ErrIAM.
var (
	// ErrNoSuchEntity means the role, or the named policy, does not exist.
	ErrNoSuchEntity = errors.New("no such IAM role or role policy")
	// ErrPolicyLimit means the role's inline policies would exceed IAM's
	// aggregate size limit.
	ErrPolicyLimit = errors.New("the role's inline policies would exceed IAM's size limit")
)

// ListRolePolicies lists the names of the inline policies of the role
// named roleName (the last part of its ARN) in the signer's account.
func (c *IAM) ListRolePolicies(ctx context.Context, roleName string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var names []string
	marker := ""
	for {
		params := url.Values{"RoleName": {roleName}}
		if marker != "" {
			params.Set("Marker", marker)
		}
		var out struct {
			Names       []string `xml:"ListRolePoliciesResult>PolicyNames>member"`
			IsTruncated bool     `xml:"ListRolePoliciesResult>IsTruncated"`
			Marker      string   `xml:"ListRolePoliciesResult>Marker"`
		}
		if err := c.call(ctx, "ListRolePolicies", params, &out); err != nil {
			return nil, c.mapPolicyError(ctx, "ListRolePolicies", err)
		}
		names = append(names, out.Names...)
		// A truncated page without a new marker would loop for ever.
		if !out.IsTruncated || out.Marker == "" || out.Marker == marker {
			return names, nil
		}
		marker = out.Marker
	}
}

// GetRolePolicy returns the document of one inline policy of the role,
// decoded (IAM answers it URL-encoded).
func (c *IAM) GetRolePolicy(ctx context.Context, roleName, policyName string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var out struct {
		Document string `xml:"GetRolePolicyResult>PolicyDocument"`
	}
	if err := c.call(ctx, "GetRolePolicy", url.Values{"RoleName": {roleName}, "PolicyName": {policyName}}, &out); err != nil {
		return "", c.mapPolicyError(ctx, "GetRolePolicy", err)
	}
	doc, err := url.QueryUnescape(out.Document)
	if err != nil {
		return "", newError(ErrIAM, err, "IAM GetRolePolicy: the document is not URL-encoded")
	}
	return doc, nil
}

// PutRolePolicy creates or replaces one inline policy of the role.
func (c *IAM) PutRolePolicy(ctx context.Context, roleName, policyName, doc string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	params := url.Values{"RoleName": {roleName}, "PolicyName": {policyName}, "PolicyDocument": {doc}}
	if err := c.call(ctx, "PutRolePolicy", params, nil); err != nil {
		return c.mapPolicyError(ctx, "PutRolePolicy", err)
	}
	return nil
}

// DeleteRolePolicy deletes one inline policy of the role.
func (c *IAM) DeleteRolePolicy(ctx context.Context, roleName, policyName string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := c.call(ctx, "DeleteRolePolicy", url.Values{"RoleName": {roleName}, "PolicyName": {policyName}}, nil); err != nil {
		return c.mapPolicyError(ctx, "DeleteRolePolicy", err)
	}
	return nil
}

// mapPolicyError is mapError with the role-policy codes told apart.
func (c *IAM) mapPolicyError(ctx context.Context, action string, err error) error {
	var apiErr *iamAPIError
	if errors.As(err, &apiErr) {
		switch apiErr.Code {
		case "NoSuchEntity":
			return newError(ErrNoSuchEntity, err, "IAM %s: %s", action, oneLine(apiErr.Message))
		case "LimitExceeded":
			return newError(ErrPolicyLimit, err, "IAM %s: %s", action, oneLine(apiErr.Message))
		}
	}
	return c.mapError(ctx, action, err)
}
