package broker

import (
	"errors"
	"testing"
	"time"
)

func TestCapDuration(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		caps    durationCaps
		want    time.Duration
		wantErr error
	}{
		{name: "default one hour", caps: durationCaps{now: now}, want: time.Hour},
		{name: "profile default", caps: durationCaps{profileMax: 2 * time.Hour, now: now}, want: 2 * time.Hour},
		{name: "requested", caps: durationCaps{requested: 30 * time.Minute, now: now}, want: 30 * time.Minute},
		{name: "rule caps requested", caps: durationCaps{requested: 4 * time.Hour, ruleMax: time.Hour, now: now}, want: time.Hour},
		{name: "profile caps requested", caps: durationCaps{requested: 4 * time.Hour, profileMax: 2 * time.Hour, now: now}, want: 2 * time.Hour},
		{name: "window caps", caps: durationCaps{requested: 2 * time.Hour, windowEnd: now.Add(40*time.Minute + 500*time.Millisecond), now: now}, want: 40 * time.Minute},
		{name: "window too short", caps: durationCaps{windowEnd: now.Add(10 * time.Minute), now: now, grantName: "approval x"}, wantErr: ErrWindowTooShort},
		{name: "window already over", caps: durationCaps{windowEnd: now.Add(-time.Minute), now: now}, wantErr: ErrWindowTooShort},
		{name: "requested below minimum", caps: durationCaps{requested: 5 * time.Minute, now: now}, wantErr: errAny},
		{name: "requested above maximum", caps: durationCaps{requested: 13 * time.Hour, now: now}, wantErr: errAny},
		{name: "profile below minimum", caps: durationCaps{profileMax: 10 * time.Minute, now: now}, wantErr: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := capDuration(tt.caps)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.wantErr == errAny && err == nil, tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			case tt.wantErr == nil && got != tt.want:
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// errAny marks a case that must fail, whatever the error.
var errAny = errors.New("any error")
