# Two VAEs (latent 8 and 10) on the same binned, scaled data: ingest, bin
# and scale run once and both models reuse them.
#   litho -f examples/two-vaes.hcl run

source "synth" {
  boreholes = 60
  seed      = 1
}

stage "ingest" "ingest" {
  inputs = { gra = source.gra, ms = source.ms, ngr = source.ngr, rgb = source.rgb }
}

stage "bin" "bin" {
  inputs = { gra = ingest.gra, ms = ingest.ms, ngr = ingest.ngr, rgb = ingest.rgb }
}

stage "scale" "scale" {
  inputs = { bins = bin.bins }
}

stage "train" "vae8" {
  inputs     = { train = scale.train, val = scale.val }
  latent_dim = 8
}

stage "train" "vae10" {
  inputs     = { train = scale.train, val = scale.val }
  latent_dim = 10
}

stage "embed" "embed8" {
  inputs = { model = vae8.model, train = scale.train, val = scale.val, test = scale.test }
}

stage "embed" "embed10" {
  inputs = { model = vae10.model, train = scale.train, val = scale.val, test = scale.test }
}

stage "cluster" "cluster8" {
  inputs = { latent = embed8.latent }
}

stage "cluster" "cluster10" {
  inputs = { latent = embed10.latent }
}

stage "evaluate" "evaluate8" {
  inputs = { latent = embed8.latent, assignments = cluster8.assignments, bins = bin.bins, history = vae8.history, models = cluster8.models }
}

stage "evaluate" "evaluate10" {
  inputs = { latent = embed10.latent, assignments = cluster10.assignments, bins = bin.bins, history = vae10.history, models = cluster10.models }
}
