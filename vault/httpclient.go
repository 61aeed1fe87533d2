package vault

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// sdkHTTPClient is the AWS SDK's buildable HTTP client, trusting the
// certificate authorities of caBundle (AWS_CA_BUNDLE, read once at start)
// when one is given. Every AWS client sentinel builds (STS, IAM, IAM
// Identity Center) uses it, so the bundle applies the same way to all.
func sdkHTTPClient(caBundle string) (*awshttp.BuildableClient, error) {
	c := awshttp.NewBuildableClient()
	if caBundle == "" {
		return c, nil
	}
	pool, err := loadCABundle(caBundle)
	if err != nil {
		return nil, err
	}
	return c.WithTransportOptions(func(tr *http.Transport) {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr.TLSClientConfig.RootCAs = pool
	}), nil
}

// loadCABundle reads a PEM bundle of certificate authorities.
func loadCABundle(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the CA bundle %s: %w", path, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("the CA bundle %s holds no PEM certificate", path)
	}
	return pool, nil
}
