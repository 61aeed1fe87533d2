package vault

import (
	"context"
	"errors"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
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
	p := iam.NewListRolePoliciesPaginator(c.client, &iam.ListRolePoliciesInput{RoleName: aws.String(roleName)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, c.mapPolicyError(ctx, "ListRolePolicies", err)
		}
		names = append(names, out.PolicyNames...)
	}
	return names, nil
}

// GetRolePolicy returns the document of one inline policy of the role,
// decoded (IAM answers it URL-encoded).
func (c *IAM) GetRolePolicy(ctx context.Context, roleName, policyName string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	out, err := c.client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String(policyName)})
	if err != nil {
		return "", c.mapPolicyError(ctx, "GetRolePolicy", err)
	}
	doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
	if err != nil {
		return "", newError(ErrIAM, err, "IAM GetRolePolicy: the document is not URL-encoded")
	}
	return doc, nil
}

// PutRolePolicy creates or replaces one inline policy of the role.
func (c *IAM) PutRolePolicy(ctx context.Context, roleName, policyName, doc string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	_, err := c.client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName: aws.String(roleName), PolicyName: aws.String(policyName), PolicyDocument: aws.String(doc),
	})
	if err != nil {
		return c.mapPolicyError(ctx, "PutRolePolicy", err)
	}
	return nil
}

// DeleteRolePolicy deletes one inline policy of the role.
func (c *IAM) DeleteRolePolicy(ctx context.Context, roleName, policyName string) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	_, err := c.client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String(policyName)})
	if err != nil {
		return c.mapPolicyError(ctx, "DeleteRolePolicy", err)
	}
	return nil
}

// mapPolicyError is mapError with the role-policy codes told apart.
func (c *IAM) mapPolicyError(ctx context.Context, action string, err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "NoSuchEntity":
			return newError(ErrNoSuchEntity, err, "IAM %s: %s", action, oneLine(apiErr.ErrorMessage()))
		case "LimitExceeded":
			return newError(ErrPolicyLimit, err, "IAM %s: %s", action, oneLine(apiErr.ErrorMessage()))
		}
	}
	return c.mapError(ctx, action, err)
}
