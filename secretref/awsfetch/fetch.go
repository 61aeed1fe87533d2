package awsfetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/sentinel-cli/sentinel/secretref"
)

// MaxSecretSize bounds a fetched secret: keys are tens of bytes.
const MaxSecretSize = 4 << 10

// ErrEmpty means the secret holds nothing.
var ErrEmpty = errors.New("the secret is empty")

// Fetcher gets secrets with the service's own AWS credentials.
//
// It holds the concrete clients, never in an interface: a type stored in
// an interface keeps every exported method in the binary (the CLI's help
// templates use reflection, which stops the linker from dropping them),
// and the SSM client alone has hundreds, over 2 MB of the binary.
type Fetcher struct {
	secretsManager *secretsmanager.Client
	ssm            *ssm.Client
}

// NewFetcher builds the clients from cfg (the service's config: its
// region, its credentials, and the endpoints the SDK read at start).
func NewFetcher(cfg aws.Config) *Fetcher {
	return &Fetcher{secretsManager: secretsmanager.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg)}
}

// Fetch returns the secret r names: a Secrets Manager secret's
// SecretString (else SecretBinary), or a Parameter Store value read with
// decryption, with surrounding white space removed. Errors name the
// reference, never the value.
func (f *Fetcher) Fetch(ctx context.Context, r secretref.Ref) ([]byte, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	var value []byte
	if r.SecretARN != "" {
		out, err := f.secretsManager.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(r.SecretARN)})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
		switch {
		case out.SecretString != nil:
			value = []byte(*out.SecretString)
		default:
			value = out.SecretBinary
		}
	} else {
		out, err := f.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(r.SSM), WithDecryption: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
		if out.Parameter != nil && out.Parameter.Value != nil {
			value = []byte(*out.Parameter.Value)
		}
	}
	value = bytes.TrimSpace(value)
	if len(value) == 0 {
		return nil, fmt.Errorf("%s: %w", r, ErrEmpty)
	}
	if len(value) > MaxSecretSize {
		return nil, fmt.Errorf("%s: over %d bytes", r, MaxSecretSize)
	}
	return value, nil
}
