// Package config reads sentinel's own configuration file (YAML, strictly
// decoded) and knows the default places of sentinel's files under the XDG
// base directories.
package config
