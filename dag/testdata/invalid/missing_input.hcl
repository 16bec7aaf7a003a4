# want: testdata/invalid/missing_input.hcl:3:1: Missing input
source "gen" {}
stage "upper" "a" {
}
