// Package fakesecrets is a loopback stand-in for the two AWS calls the
// team service makes to read its secrets at start: Secrets Manager's
// GetSecretValue and SSM Parameter Store's GetParameter. It speaks their
// wire protocol (AWS JSON 1.1: POST /, X-Amz-Target, a JSON body): its own
// test drives it with the real SDK clients (service/secretsmanager and
// service/ssm), and sentinel's fetcher (secretref/awsfetch) reaches it
// through AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL_SSM. It answers unsigned calls with
// MissingAuthenticationToken, an unknown secret or parameter as AWS does,
// and a SecureString read without decryption with its ciphertext.
package fakesecrets
