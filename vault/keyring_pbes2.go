package vault

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	jose "github.com/dvsekhvalnov/jose2go"
	joseaes "github.com/dvsekhvalnov/jose2go/aes"
	"github.com/dvsekhvalnov/jose2go/base64url"
)

// The file keyring seals every item as a JWE with PBES2-HS256+A128KW: the
// key that wraps the item's content key comes from the passphrase through
// PBKDF2-HMAC-SHA256 (8192 rounds, as the keyring writes them). jose2go's
// own PBKDF2 allocates two slices per round, which made that derivation
// about a fifth of a warm `credentials` call. pbes2HS256A128KW is the same
// algorithm, same rounds, same bytes in and out, with the standard
// library's PBKDF2 (no allocation per round); it replaces jose2go's
// implementation of that one algorithm name in this process. Nothing is
// weakened: the round count is whatever the item's header says, within
// jose2go's own bounds, and the tests check both ways against jose2go's
// implementation.
func init() {
	jose.RegisterJwa(pbes2HS256A128KW{})
}

const (
	// pbes2WriteRounds is the count jose2go writes by default, kept so that
	// items written by this process are what the keyring always wrote.
	pbes2WriteRounds = 8192
	// pbes2MaxRounds is jose2go's upper bound for this algorithm: a header
	// asking for more is refused before any work (a forged item cannot
	// make the process spin).
	pbes2MaxRounds = 1300000
	// pbes2KeyBytes is A128KW's key-encryption key.
	pbes2KeyBytes = 16
	// pbes2SaltBytes is the random part of the salt jose2go writes.
	pbes2SaltBytes = 12
)

type pbes2HS256A128KW struct{}

func (pbes2HS256A128KW) Name() string { return jose.PBES2_HS256_A128KW }

// kek derives the key-encryption key as RFC 7518 4.8.1.1 says: the salt is
// the algorithm's name, a zero byte, then p2s.
func (pbes2HS256A128KW) kek(passphrase string, saltInput []byte, rounds int) ([]byte, error) {
	salt := make([]byte, 0, len(jose.PBES2_HS256_A128KW)+1+len(saltInput))
	salt = append(append(append(salt, jose.PBES2_HS256_A128KW...), 0), saltInput...)
	return pbkdf2.Key(sha256.New, passphrase, salt, rounds, pbes2KeyBytes)
}

func (alg pbes2HS256A128KW) WrapNewKey(cekSizeBits int, key interface{}, header map[string]interface{}) (cek []byte, encryptedCek []byte, err error) {
	passphrase, ok := key.(string)
	if !ok {
		return nil, nil, errors.New("PBES2-HS256+A128KW: the key is not a passphrase")
	}
	rounds := pbes2WriteRounds
	if p2c, ok := header["p2c"].(int); ok {
		rounds = p2c
	}
	if rounds < 1 || rounds > pbes2MaxRounds {
		return nil, nil, fmt.Errorf("PBES2-HS256+A128KW: p2c %d is outside 1..%d", rounds, pbes2MaxRounds)
	}
	saltInput := make([]byte, pbes2SaltBytes)
	if _, err := rand.Read(saltInput); err != nil {
		return nil, nil, err
	}
	header["p2c"] = rounds
	header["p2s"] = base64url.Encode(saltInput)
	kek, err := alg.kek(passphrase, saltInput, rounds)
	if err != nil {
		return nil, nil, err
	}
	cek = make([]byte, cekSizeBits>>3)
	if _, err := rand.Read(cek); err != nil {
		return nil, nil, err
	}
	encryptedCek, err = joseaes.KeyWrap(cek, kek)
	if err != nil {
		return nil, nil, err
	}
	return cek, encryptedCek, nil
}

func (alg pbes2HS256A128KW) Unwrap(encryptedCek []byte, key interface{}, cekSizeBits int, header map[string]interface{}) ([]byte, error) {
	passphrase, ok := key.(string)
	if !ok {
		return nil, errors.New("PBES2-HS256+A128KW: the key is not a passphrase")
	}
	// JSON numbers arrive as float64; anything else is a malformed header.
	p2c, ok := header["p2c"].(float64)
	if !ok {
		return nil, errors.New("PBES2-HS256+A128KW: no p2c in the header")
	}
	if !(p2c >= 1 && p2c <= pbes2MaxRounds) || p2c != float64(int(p2c)) {
		return nil, fmt.Errorf("PBES2-HS256+A128KW: p2c %v is outside 1..%d", p2c, pbes2MaxRounds)
	}
	p2s, ok := header["p2s"].(string)
	if !ok {
		return nil, errors.New("PBES2-HS256+A128KW: no p2s in the header")
	}
	saltInput, err := base64url.Decode(p2s)
	if err != nil {
		return nil, err
	}
	// RFC 3394: a wrapped key is 64-bit blocks, the check block and at
	// least two of key. jose2go's unwrap indexes without checking, so a
	// corrupted item would panic instead of failing.
	if len(encryptedCek) < 24 || len(encryptedCek)%8 != 0 {
		return nil, fmt.Errorf("PBES2-HS256+A128KW: a wrapped key of %d bytes", len(encryptedCek))
	}
	kek, err := alg.kek(passphrase, saltInput, int(p2c))
	if err != nil {
		return nil, err
	}
	return joseaes.KeyUnwrap(encryptedCek, kek)
}
