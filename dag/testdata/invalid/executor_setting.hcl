# want: testdata/invalid/executor_setting.hcl:4:13: Invalid executor setting
executor "slurm" {
  retries = 1
  batch   = 0
}
source "gen" {}
