package session

import "fmt"

// CheckNew refuses what is not a valid new session: one that fails
// Validate, or that is not active. Both stores run it on Create.
func CheckNew(s *Session) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.Status != StatusActive {
		return fmt.Errorf("%w: a new session must be active, not %s", ErrInvalid, s.Status)
	}
	return nil
}

// CheckNewBlock refuses what is not a valid new block: one that fails
// Validate, or that was lifted already. Both stores run it on Block.
func CheckNewBlock(b *Block) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if !b.LiftedAt.IsZero() {
		return fmt.Errorf("%w: a new block cannot be lifted already", ErrInvalid)
	}
	return nil
}
