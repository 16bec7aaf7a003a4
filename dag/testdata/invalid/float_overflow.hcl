# want: testdata/invalid/float_overflow.hcl:4:11: Invalid parameter value; ratio: 1e+400 is out of range
source "gen" {}
stage "upper" "a" {
  ratio = 1e400
  inputs = { in = source.data }
}
