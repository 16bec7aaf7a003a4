# want: testdata/invalid/duplicate.hcl:6:1: Duplicate stage name
source "gen" {}
stage "upper" "a" {
  inputs = { in = source.data }
}
stage "upper" "a" {
  inputs = { in = source.data }
}
