package request

import "testing"

func TestApprovalsCountsApprovingReviewsOnly(t *testing.T) {
	tests := []struct {
		name    string
		reviews []Review
		want    int
	}{
		{"none", nil, 0},
		{"one approval", []Review{{Action: ActionApprove}}, 1},
		{"a denial is not one", []Review{{Action: ActionDeny}}, 0},
		{"mixed", []Review{{Action: ActionApprove}, {Action: ActionDeny}, {Action: ActionApprove}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Request{Reviews: tt.reviews}
			if got := r.Approvals(); got != tt.want {
				t.Errorf("Approvals() = %d, want %d", got, tt.want)
			}
		})
	}
}
