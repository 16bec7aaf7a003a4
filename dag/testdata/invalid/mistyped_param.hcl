# want: testdata/invalid/mistyped_param.hcl:2:20: Invalid parameter value; n: must be an int, got string
source "gen" { n = "three" }
