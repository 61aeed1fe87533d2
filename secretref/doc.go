// Package secretref names the secrets of the team service's config held in
// AWS Secrets Manager or SSM Parameter Store instead of files: a webhook's
// signing secret and the decision log's HMAC key. A Ref names one secret
// (secret_arn: or ssm:), checked when the config is decoded; package awsfetch gets
// them once, at start, with the service's own credentials.
//
// Keeping the secrets out of the deployment package and the function's
// environment means lambda:GetFunction (which returns both) reveals none
// of them; only the service role may read them (deploy/template.yaml).
package secretref
