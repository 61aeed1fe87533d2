// Package awsfetch fetches the secrets a secretref.Ref names, from AWS
// Secrets Manager or SSM Parameter Store, with the service's own
// credentials. It is apart from secretref so that the packages that only
// carry references (notify, server's config) do not depend on the AWS SDK.
package awsfetch
