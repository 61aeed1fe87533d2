package vault

import (
	"cmp"
	"path/filepath"

	"github.com/byteness/keyring"
)

// KeyringInfo says which keyring backend holds sentinel's items and where.
type KeyringInfo struct {
	// Backend is the backend's name (file, keyctl, secret-service...).
	Backend string `json:"backend"`
	// Location says where in that backend the items are, in words
	// (a directory, a collection, a keychain...).
	Location string `json:"location"`
	// Volatile is true for a backend that forgets its items at reboot
	// (the kernel keyring).
	Volatile bool `json:"volatile"`
}

// DescribeKeyring tells which backend a keyring opened by OpenKeyring
// uses; false for any other keyring.
func DescribeKeyring(kr keyring.Keyring) (KeyringInfo, bool) {
	g, ok := kr.(*guardedKeyring)
	if !ok {
		return KeyringInfo{}, false
	}
	return g.info, true
}

// describe is the KeyringInfo of backend opened with kc.
func describe(backend keyring.BackendType, kc keyring.Config) KeyringInfo {
	info := KeyringInfo{Backend: string(backend)}
	switch backend {
	case keyring.FileBackend:
		info.Location = "directory " + kc.FileDir
	case keyring.KeyCtlBackend:
		info.Location = "kernel keyring, " + kc.KeyCtlScope + " scope (lost at reboot)"
		info.Volatile = true
	case keyring.SecretServiceBackend:
		info.Location = "collection " + kc.LibSecretCollectionName
	case keyring.KWalletBackend:
		info.Location = "folder " + kc.KWalletFolder
	case keyring.KeychainBackend:
		name := cmp.Or(kc.KeychainName, "login")
		info.Location = "keychain " + name
	case keyring.PassBackend:
		dir := cmp.Or(kc.PassDir, filepath.Join("~", ".password-store"))
		info.Location = "password store " + dir + ", prefix " + kc.PassPrefix
	case keyring.WinCredBackend:
		info.Location = "Windows Credential Manager, prefix " + kc.WinCredPrefix
	case keyring.WinHelloBackend:
		info.Location = "Windows Credential Manager, encrypted under a Windows Hello key, service " + kc.ServiceName
	default:
		info.Location = "service " + kc.ServiceName
	}
	return info
}
