# want: testdata/invalid/undeclared_ref.hcl:4:19: Reference to undeclared stage
source "gen" {}
stage "upper" "a" {
  inputs = { in = nothere.out }
}
