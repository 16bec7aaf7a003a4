# want: Cycle in pipeline; Stages depend on each other in a loop: a → b → a
source "gen" {}
stage "upper" "a" {
  inputs = { in = b.out }
}
stage "upper" "b" {
  inputs = { in = a.out }
}
