# want: testdata/invalid/unknown_param.hcl:5:3: Unknown parameter
source "gen" {}
stage "upper" "a" {
  inputs = { in = source.data }
  sufix = "!"
}
