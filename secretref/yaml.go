package secretref

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// UnmarshalYAML reads a reference strictly: a mapping with secret_arn or
// ssm and nothing else. A plain string is refused with a line that says
// why, since it is almost always the secret itself pasted into the file.
func (r *Ref) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("%w: line %d: name a secret by reference, {secret_arn: ARN} or {ssm: NAME}, never write it in the file", ErrRef, n.Line)
	}
	var out Ref
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("%w: line %d: %s must be a string", ErrRef, v.Line, k.Value)
		}
		switch k.Value {
		case "secret_arn":
			out.SecretARN = v.Value
		case "ssm":
			out.SSM = v.Value
		default:
			return fmt.Errorf("%w: line %d: field %s not found (a reference has secret_arn or ssm)", ErrRef, k.Line, k.Value)
		}
	}
	*r = out
	return nil
}
