# want: testdata/invalid/unknown_kind.hcl:3:7: Unknown stage kind
source "gen" {}
stage "uper" "a" {
  inputs = { in = source.data }
}
