# litho's default pipeline: generated LILY-format data through to clusters
# and their agreement with the described lithology. `litho init` writes
# this file for you to edit; `litho run` uses ./pipeline.hcl when present.

store {
  # Local store directory, relative to this file (default .litho).
  # path = ".litho"
  # Share results between hosts through S3-compatible storage. Credentials
  # come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or ~/.aws/credentials.
  # remote   = "s3://bucket/prefix"
  # endpoint = "minio.example.org:9000"
}

# Generated data in the LILY CSV layout. For the real database use
#   source "lily" { dir = "path/to/LILY" }
# or `litho run --data DIR` for one run.
source "synth" {
  boreholes = 60
  seed      = 1
}

stage "ingest" "ingest" {
  inputs = {
    gra = source.gra
    ms  = source.ms
    ngr = source.ngr
    rgb = source.rgb
  }
}

stage "bin" "bin" {
  inputs = {
    gra = ingest.gra
    ms  = ingest.ms
    ngr = ingest.ngr
    rgb = ingest.rgb
  }
  size = 0.2
}

stage "scale" "scale" {
  inputs   = { bins = bin.bins }
  seed     = 1
  features = ["gra", "ms", "ngr", "r", "g", "b"] # model inputs, in order
  # scaling = "standard"               # z-score only (v2); default "distribution"
  # transforms = { ms = "identity" }   # per-feature override
  # context = 1                        # stack the bins above and below (v2.2)
}

stage "train" "train" {
  inputs = {
    train = scale.train
    val   = scale.val
  }
  latent_dim = 10
  seed       = 1
  # The seed's training rule: validation loss counts from the first epoch,
  # at that epoch's β, patience 15, so the annealed model stops early
  # (~16 epochs on the real data). early_stop_from = 50 waits for annealing.
  # early_stop_from = 0
  # keep            = "last"     # or "best": the lowest validation loss's weights
  # beta_schedule   = "constant" # beta_end throughout (v2.5: 0.5, v2.1: 1.0); default "linear"
  # prior           = "vamp"     # VampPrior (v2.10) with pseudo_inputs = 50; default "normal"
  # masking         = "block"    # masked training (v2.11): "block", "random", "borehole"; default "none"
  # mask_rate       = 0.3        # block 0.3, random 0.15, borehole 0.1 in the research
}

stage "embed" "embed" {
  inputs = {
    model = train.model
    train = scale.train
    val   = scale.val
    test  = scale.test
  }
}

stage "cluster" "cluster" {
  inputs = { latent = embed.latent }
  ks     = [10, 12, 15, 18, 20]
  seed   = 1
}

stage "evaluate" "evaluate" {
  inputs = {
    latent      = embed.latent
    assignments = cluster.assignments
    bins        = bin.bins
    stats       = embed.stats    # the model's size and inputs, for the metrics
    history     = train.history  # the training curve
    models      = cluster.models # BIC and AIC against k
  }
}

# Guards for CI: `litho check` exits 1 when one fails. On the CPU a rerun
# gives the same ARI bit for bit; a single test split is noisy across data
# changes (±0.04), so the floor leaves that margin.
gate "ari" {
  metric = "gmm.k18.ari"
  min    = 0.20
}

# With `litho check --baseline FILE`: at most 0.02 below the baseline.
gate "ari_no_regression" {
  metric   = "gmm.k18.ari"
  max_drop = 0.02
}
