// Package vault is sentinel's credential engine. It reads AWS profiles from
// ~/.aws/config, keeps long-lived access keys and cached short-lived
// credentials in the OS keyring, calls STS (GetCallerIdentity,
// GetSessionToken, AssumeRole) and prompts for MFA codes.
//
// vault knows nothing about policies, approvals or the CLI: the broker decides
// whether credentials may be issued, and vault only knows how to obtain and
// store them. Everything on the credential_process warm path (loading the
// config, opening the keyring, cache lookups) is local and cheap; only NewSTS
// builds an AWS client.
package vault
