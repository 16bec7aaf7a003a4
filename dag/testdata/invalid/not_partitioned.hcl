# want: testdata/invalid/not_partitioned.hcl:4:19: Input is not partitioned
source "gen" {}
stage "mapper" "m" {
  inputs = { in = source.data }
}
