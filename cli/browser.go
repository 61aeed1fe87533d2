package cli

import (
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
)

// openBrowser hands a web page to the desktop's opener (xdg-open, open)
// and waits for the opener only, not for the browser. Only http(s) pages
// are opened: some come from the network (an IAM Identity Center sign-in
// page).
func openBrowser(url string) error {
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return errors.New("not a web page")
	}
	opener := "xdg-open"
	switch runtime.GOOS {
	case "darwin":
		opener = "open"
	case "windows":
		return errors.New("no browser opener on Windows; use --stdout")
	}
	path, err := exec.LookPath(opener)
	if err != nil {
		return fmt.Errorf("%s not found", opener)
	}
	if err := exec.Command(path, url).Run(); err != nil {
		return fmt.Errorf("%s: %w", opener, err)
	}
	return nil
}
