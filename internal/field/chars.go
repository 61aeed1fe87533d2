package field

// CharsIn reports whether s has min to max bytes, each an ASCII letter,
// digit or underscore or one of the bytes in extra: the shape of the names
// AWS allows in MFA serials and role names. It replaces regular
// expressions with bounded repetition ({1,64}, {9,256}), which compile
// into large programs at every start of the process.
func CharsIn(s string, min, max int, extra string) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_':
		case indexByte(extra, c):
		default:
			return false
		}
	}
	return true
}

func indexByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}
