package childproc

import "os"

// Required reports whether the environment demands a test dependency: the
// variable named by demand is "1", or CI is set to anything but "", "false"
// or "0". Tests must then fail rather than skip, so that a missing install
// step cannot pass silently.
func Required(demand string) bool {
	if os.Getenv(demand) == "1" {
		return true
	}
	ci := os.Getenv("CI")
	return ci != "" && ci != "false" && ci != "0"
}
