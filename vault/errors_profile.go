package vault

import "fmt"

// UnknownProfileError says that a profile is neither in the AWS config
// file nor in the keyring. It matches ErrUnknownProfile, and carries the
// names that do exist so that the command line can suggest the nearest.
type UnknownProfileError struct {
	// Name is the profile asked for.
	Name string
	// Path is the AWS config file that was searched.
	Path string
	// Known are the profile names of that file.
	Known []string
}

func (e *UnknownProfileError) Error() string {
	return fmt.Sprintf("profile %q not found in %s or the keyring", e.Name, e.Path)
}

// Is makes errors.Is(err, ErrUnknownProfile) hold.
func (e *UnknownProfileError) Is(target error) bool { return target == ErrUnknownProfile }
