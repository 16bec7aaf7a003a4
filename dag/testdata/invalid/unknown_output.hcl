# want: testdata/invalid/unknown_output.hcl:4:19: Unknown output
source "gen" {}
stage "upper" "a" {
  inputs = { in = source.dat }
}
