# want: testdata/invalid/syntax.hcl:3:
source "gen" {}
stage "upper" "a" {
  inputs = { in = source.data
}
