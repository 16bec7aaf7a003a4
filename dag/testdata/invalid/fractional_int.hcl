# want: testdata/invalid/fractional_int.hcl:2:20: Invalid parameter value; n: must be a whole number, got 2.5
source "gen" { n = 2.5 }
