# A pipeline whose "evaluate" stage is a stand-in writing metrics with a
# chosen gmm k=18 ARI, for `litho check`, `litho metrics` and `litho report`.
source "gen" { n = 3 }

stage "fakeeval" "evaluate" {
  inputs = { in = source.data }
  ari    = 0.25
}

gate "ari" {
  metric = "gmm.k18.ari"
  min    = 0.20
}
