# want: testdata/invalid/executor_unknown.hcl:2:10: Unknown executor
executor "pbs" {}
source "gen" {}
