package teamapi

// Error codes of the team API (the "code" field of an error document).
const (
	CodeBadRequest     = "BadRequest"
	CodeInvalidProof   = "InvalidProof"
	CodeAccessDenied   = "AccessDenied"
	CodeSessionRevoked = "SessionRevoked"
	CodeForbidden      = "Forbidden"
	CodeNotFound       = "NotFound"
	CodeConflict       = "Conflict"
	CodeUnavailable    = "Unavailable"
	CodeInternal       = "Internal"
)
