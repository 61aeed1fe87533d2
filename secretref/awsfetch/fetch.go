package awsfetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/sentinel-cli/sentinel/secretref"
)

// MaxSecretSize bounds a fetched secret: keys are tens of bytes.
const MaxSecretSize = 4 << 10

// maxAnswer bounds an answer read from either service.
const maxAnswer = 64 << 10

// ErrEmpty means the secret holds nothing.
var ErrEmpty = errors.New("the secret is empty")

// Endpoints are the service-specific endpoints read at start
// (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SSM); empty means
// the config's BaseEndpoint (AWS_ENDPOINT_URL), else AWS's regional one.
type Endpoints struct {
	SecretsManager string
	SSM            string
}

// Fetcher gets secrets with the service's own AWS credentials. It makes
// the two calls it needs itself (AWS JSON 1.1, signed with SigV4) rather
// than linking the Secrets Manager and SSM SDK clients, which would add
// some 3 MB to a binary every laptop runs for a start-up-only read.
type Fetcher struct {
	cfg aws.Config
	ep  Endpoints
}

// NewFetcher builds a Fetcher from cfg (the service's config: its region,
// credentials and HTTP client) and the endpoints read at start.
func NewFetcher(cfg aws.Config, ep Endpoints) *Fetcher {
	return &Fetcher{cfg: cfg, ep: ep}
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
		var out struct {
			SecretString *string
			SecretBinary []byte
		}
		if err := f.call(ctx, "secretsmanager", f.ep.SecretsManager, "secretsmanager.GetSecretValue", map[string]any{"SecretId": r.SecretARN}, &out); err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
		if out.SecretString != nil {
			value = []byte(*out.SecretString)
		} else {
			value = out.SecretBinary
		}
	} else {
		var out struct {
			Parameter *struct{ Value *string }
		}
		if err := f.call(ctx, "ssm", f.ep.SSM, "AmazonSSM.GetParameter", map[string]any{"Name": r.SSM, "WithDecryption": true}, &out); err != nil {
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

// APIError is an error answer of either service: its code (such as
// ResourceNotFoundException or ParameterNotFound) and message.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("%s (HTTP %d)", e.Code, e.Status)
	}
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}

// call makes one signed AWS JSON 1.1 call to service and decodes its
// answer into out.
func (f *Fetcher) call(ctx context.Context, service, endpoint, target string, in, out any) error {
	url := f.endpoint(service, endpoint)
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("endpoint %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	if f.cfg.Credentials == nil {
		return errors.New("no AWS credentials to sign with")
	}
	creds, err := f.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("AWS credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), service, f.cfg.Region, time.Now()); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	client := f.cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("%s: answer over %d bytes", url, maxAnswer)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		code := e.Type[strings.LastIndexByte(e.Type, '#')+1:]
		if code == "" {
			code = "UnknownError"
		}
		return &APIError{Status: resp.StatusCode, Code: code, Message: e.Message}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s: answer is not the service's JSON: %w", url, err)
	}
	return nil
}

// endpoint is the URL a call to service goes to: the service's own
// endpoint read at start, else the config's BaseEndpoint, else AWS's.
func (f *Fetcher) endpoint(service, own string) string {
	switch {
	case own != "":
		return own
	case f.cfg.BaseEndpoint != nil && *f.cfg.BaseEndpoint != "":
		return *f.cfg.BaseEndpoint
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(f.cfg.Region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://" + service + "." + f.cfg.Region + "." + suffix
}
