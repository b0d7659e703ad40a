package gen

import "testing"

// TestColumns checks the CUR 1.0 column set: AWS's count, no name twice,
// and a snake_case name apiece for Parquet.
func TestColumns(t *testing.T) {
	if len(cur1Columns) != 136 {
		t.Errorf("%d CUR 1.0 columns, the docs say 136", len(cur1Columns))
	}
	full, snake := map[string]bool{}, map[string]bool{}
	for _, c := range cur1Columns {
		if full[c.full()] || snake[c.snake()] {
			t.Errorf("column %s (%s) twice", c.full(), c.snake())
		}
		full[c.full()], snake[c.snake()] = true, true
	}
	for in, want := range map[string]string{
		"reservation/ReservationARN": "reservation_reservation_a_r_n",
		"resourceTags/user:Name":     "resource_tags_user_name",
		"lineItem/UnblendedCost":     "line_item_unblended_cost",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}
