source "gen" { n = 3 }

stage "upper" "a" {
  inputs = { in = source.data }
}

stage "split" "split" {
  inputs = { in = a.out }
}

stage "mapper" "map" {
  inputs = { in = split.parts }
}

stage "concat" "concat" {
  inputs = { in = map.out }
}

stage "block" "slow" {
  inputs = { in = concat.out }
}
