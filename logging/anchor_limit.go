package logging

import "errors"

// MaxTeamAnchorLogs bounds the logs one caller may anchor in the team
// service: each is a record the service keeps for as long as the log
// exists, so without a bound one caller could fill the store.
const MaxTeamAnchorLogs = 256

// ErrAnchorLimit is a first anchor of a log by a caller who already
// anchors MaxTeamAnchorLogs logs. Moving an anchored log forward is never
// refused with it.
var ErrAnchorLimit = errors.New("too many logs anchored by this caller")
