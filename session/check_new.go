package session

import "github.com/sentinel-cli/sentinel/record"

// CheckNew refuses what is not a valid new session: one that fails
// Validate, or that is not active. Both stores run it on Create.
func CheckNew(s *Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	return errs.Wrap(record.Require(s.Status == StatusActive, "a new session must be active, not %s", s.Status))
}

// CheckNewBlock refuses what is not a valid new block: one that fails
// Validate, or that was lifted already. Both stores run it on Block.
func CheckNewBlock(b *Block) error {
	if err := b.Validate(); err != nil {
		return err
	}
	return errs.Wrap(record.Require(b.LiftedAt.IsZero(), "a new block cannot be lifted already"))
}
