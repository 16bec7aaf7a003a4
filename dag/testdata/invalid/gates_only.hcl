# want: testdata/invalid/gates_only.hcl:1:1: Empty pipeline
gate "ari" {
  metric = "gmm.k18.ari"
  min    = 0.2
}
