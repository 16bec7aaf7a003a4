# Cross-validated variant of the default pipeline: boreholes dealt to
# five folds by the same stable hash as the single split, each fold's
# test set one fold, then train, embed, cluster and evaluate once per
# fold (partitions fold1 … fold5) and `summarise` for the spread.
#   litho --file examples/cv.hcl run
#   litho --file examples/cv.hcl metrics show   # gmm.k18.ari  0.333 ± 0.041  (5 folds × 1 seed; …)
# Add `replicates = 3` to train for three seeds per fold (fold2/seed3 …).
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
  folds    = 5
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
  # replicates = 3                     # seeds 1, 2, 3 in every fold
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

stage "summarise" "summary" {
  inputs = { metrics = evaluate.metrics }
}

# Guards for CI on the mean over folds, which moves far less than one
# split's ARI when the data change.
gate "ari_mean" {
  metric   = "gmm.k18.ari"
  min_mean = 0.28
}

# With `litho check --baseline FILE`: the mean may fall by max_drop, or by
# two standard errors of the difference when the folds disagree more.
gate "ari_mean_no_regression" {
  metric   = "gmm.k18.ari"
  max_drop = 0.02
}
