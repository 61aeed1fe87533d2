package cli

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sentinel-cli/sentinel/broker"
	"github.com/sentinel-cli/sentinel/config"
	"github.com/sentinel-cli/sentinel/store/dynamodb"
	"github.com/sentinel-cli/sentinel/store/local"
)

// storeOpener returns how to open the configured approval store: the
// embedded bbolt file by default, DynamoDB when the config says so.
func storeOpener(cfg *config.Config) broker.StoreOpener {
	if cfg.Store.Backend == config.BackendDynamoDB {
		return func(ctx context.Context, sign broker.Signer) (broker.Stores, error) {
			s, err := newDynamoStore(ctx, cfg, sign)
			if err != nil {
				return nil, err
			}
			return dynamoStores{s}, nil
		}
	}
	return func(context.Context, broker.Signer) (broker.Stores, error) {
		s, err := local.Open(cfg.Store.Path, local.Options{})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// newDynamoStore opens the DynamoDB backend, signing calls with the
// caller's base credentials.
func newDynamoStore(ctx context.Context, cfg *config.Config, sign broker.Signer) (*dynamodb.Store, error) {
	provider := aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		c, err := sign(ctx)
		if err != nil {
			return aws.Credentials{}, err
		}
		return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Source: "sentinel"}, nil
	})
	return dynamodb.New(ctx, dynamodb.Options{
		Region:           cfg.Store.Region,
		RequestsTable:    cfg.Store.Tables.Requests,
		BreakglassTable:  cfg.Store.Tables.Breakglass,
		SessionsTable:    cfg.Store.Tables.Sessions,
		RevocationsTable: cfg.Store.Tables.Revocations,
		Credentials:      aws.NewCredentialsCache(provider),
	})
}

// dynamoStores adapts the DynamoDB store, which holds no file or lock, to
// broker.Stores.
type dynamoStores struct{ *dynamodb.Store }

// Close releases nothing: the client keeps no connection that needs it.
func (dynamoStores) Close() error { return nil }
