# want: testdata/invalid/resources_unknown.hcl:6:5: Unsupported argument
source "gen" {}
stage "upper" "a" {
  inputs = { in = source.data }
  resources {
    gpu = 1
  }
}
