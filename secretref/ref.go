package secretref

import (
	"errors"
	"fmt"
	"strings"
)

// Ref names one secret: exactly one of SecretARN (a Secrets Manager
// secret's full ARN) and SSM (a Parameter Store parameter name, read with
// decryption, or its ARN).
type Ref struct {
	SecretARN string `yaml:"secret_arn"`
	SSM       string `yaml:"ssm"`
}

// ErrRef is matched by every problem with a Ref.
var ErrRef = errors.New("invalid secret reference")

// maxRefLen bounds a reference; real ARNs and names are far shorter.
const maxRefLen = 2048

// IsZero reports whether the reference names nothing.
func (r Ref) IsZero() bool { return r.SecretARN == "" && r.SSM == "" }

// String is the reference itself (never the secret), for messages.
func (r Ref) String() string {
	if r.SecretARN != "" {
		return "secret_arn " + r.SecretARN
	}
	return "ssm " + r.SSM
}

// Check validates the reference's form; it fetches nothing.
func (r Ref) Check() error {
	switch {
	case r.SecretARN != "" && r.SSM != "":
		return fmt.Errorf("%w: secret_arn and ssm exclude each other", ErrRef)
	case r.IsZero():
		return fmt.Errorf("%w: give secret_arn or ssm", ErrRef)
	case r.SecretARN != "":
		if err := checkARN(r.SecretARN, "secretsmanager", "secret:"); err != nil {
			return fmt.Errorf("%w: secret_arn: %w", ErrRef, err)
		}
	default:
		if strings.HasPrefix(r.SSM, "arn:") {
			if err := checkARN(r.SSM, "ssm", "parameter/"); err != nil {
				return fmt.Errorf("%w: ssm: %w", ErrRef, err)
			}
		} else if err := checkParameterName(r.SSM); err != nil {
			return fmt.Errorf("%w: ssm: %w", ErrRef, err)
		}
	}
	return nil
}

// checkARN accepts arn:PARTITION:SERVICE:REGION:ACCOUNT:PREFIX... with a
// 12-digit account and printable ASCII only.
func checkARN(s, service, resourcePrefix string) error {
	if err := printable(s); err != nil {
		return err
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != service || parts[3] == "" {
		return fmt.Errorf("%q is not an arn:PARTITION:%s:REGION:ACCOUNT:... ARN", s, service)
	}
	if len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" {
		return fmt.Errorf("%q: account %q is not 12 digits", s, parts[4])
	}
	if !strings.HasPrefix(parts[5], resourcePrefix) || len(parts[5]) == len(resourcePrefix) {
		return fmt.Errorf("%q: the resource must start with %s", s, resourcePrefix)
	}
	return nil
}

// checkParameterName accepts Parameter Store names: letters, digits and
// _.-/ , hierarchical names starting with "/".
func checkParameterName(s string) error {
	if err := printable(s); err != nil {
		return err
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_.-/", c)) {
			return fmt.Errorf("%q: a parameter name has only letters, digits and _.-/", s)
		}
	}
	return nil
}

func printable(s string) error {
	if len(s) > maxRefLen {
		return fmt.Errorf("longer than %d characters", maxRefLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return errors.New("holds a space, control or non-ASCII character")
		}
	}
	return nil
}
