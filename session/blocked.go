package session

import (
	"errors"
	"fmt"
	"time"

	"github.com/sentinel-cli/sentinel/person"
)

// ErrBlocked means the person the session belongs to is blocked: Create
// and Touch refuse, in the same store write, a session whose person key
// has a block in force. A *BlockedError matches it.
var ErrBlocked = errors.New("user is blocked")

// BlockedError is the refusal of Create or Touch because of a block. It
// carries the block as stored, so that the broker can say who blocked the
// person and why, and revoke the session in their name.
type BlockedError struct {
	// ID is the session that was refused.
	ID string
	// Block is the block in force; nil when the store could not return it.
	Block *Block
}

// Error says which session was refused and who blocked its person.
func (e *BlockedError) Error() string {
	if e.Block == nil {
		return fmt.Sprintf("session %s refused: its user is blocked", e.ID)
	}
	until := "until lifted"
	if !e.Block.Until.IsZero() {
		until = "until " + e.Block.Until.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("session %s refused: its user is blocked %s by %s", e.ID, until, e.Block.By)
}

// Is matches ErrBlocked.
func (e *BlockedError) Is(target error) bool { return target == ErrBlocked }

// BlockKey is the key under which the stores keep the block of a user
// ARN: its person key (see package person). For an IAM user that is the
// lower-cased user ARN, the key blocks were stored under before person
// keys existed, so those blocks keep working.
func BlockKey(arn string) string { return person.KeyOf(arn) }
