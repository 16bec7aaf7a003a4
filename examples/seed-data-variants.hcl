# The data variants of the research (DESIGN.md §1b) side by side: each
# model differs from the production one only in its data — which
# instruments, which features, how they are scaled, whether neighbouring
# bins are stacked. One source, one ingest and four bin instances serve
# them all; a change to one variant reruns only what depends on it.
#   litho --file examples/seed-data-variants.hcl run
#   litho --file examples/seed-data-variants.hcl run --to evaluate_v2_2
# CI runs it on small generated data (.ci/run sets fewer boreholes and epochs).

source "synth" {
  boreholes = 60
  seed      = 1
}

stage "ingest" "ingest" {
  inputs = {
    gra  = source.gra
    ms   = source.ms
    ngr  = source.ngr
    rgb  = source.rgb
    rsc  = source.rsc
    msp  = source.msp
    mad  = source.mad
    pwc  = source.pwc
    tcon = source.tcon
  }
}

# v1 took the first row's label, later versions the bin's mode.
stage "bin" "bins_v1" {
  inputs = { gra = ingest.gra, ms = ingest.ms, ngr = ingest.ngr }
  label  = "first"
}

# The production join: GRA, MS, NGR and RGB (v2 and later).
stage "bin" "bins_six" {
  inputs = { gra = ingest.gra, ms = ingest.ms, ngr = ingest.ngr, rgb = ingest.rgb }
}

stage "bin" "bins_rsc" {
  inputs = { gra = ingest.gra, ms = ingest.ms, ngr = ingest.ngr, rsc = ingest.rsc, msp = ingest.msp }
}

# The discrete samples of the legacy model, co-located at 5 cm.
stage "bin" "bins_mad" {
  inputs = { mad = ingest.mad, pwc = ingest.pwc, tcon = ingest.tcon }
  size   = 0.05
}

# v1: GRA, MS and NGR (3 inputs), 20 cm bins labelled by the first row
stage "scale" "scale_v1" {
  inputs   = { bins = bins_v1.bins }
  features = ["gra", "ms", "ngr"]
}

stage "train" "train_v1" {
  inputs = { train = scale_v1.train, val = scale_v1.val }
}

stage "embed" "embed_v1" {
  inputs = { model = train_v1.model, train = scale_v1.train, val = scale_v1.val, test = scale_v1.test }
}

stage "cluster" "cluster_v1" {
  inputs = { latent = embed_v1.latent }
  ks     = [10, 12, 15, 18, 20]
}

stage "evaluate" "evaluate_v1" {
  inputs = { latent = embed_v1.latent, assignments = cluster_v1.assignments, bins = bins_v1.bins, stats = embed_v1.stats, history = train_v1.history, models = cluster_v1.models }
}

# v2: + R, G, B (6 inputs), plain z-scores
stage "scale" "scale_v2" {
  inputs   = { bins = bins_six.bins }
  features = ["gra", "ms", "ngr", "r", "g", "b"]
  scaling  = "standard"
}

stage "train" "train_v2" {
  inputs = { train = scale_v2.train, val = scale_v2.val }
}

stage "embed" "embed_v2" {
  inputs = { model = train_v2.model, train = scale_v2.train, val = scale_v2.val, test = scale_v2.test }
}

stage "cluster" "cluster_v2" {
  inputs = { latent = embed_v2.latent }
  ks     = [10, 12, 15, 18, 20]
}

stage "evaluate" "evaluate_v2" {
  inputs = { latent = embed_v2.latent, assignments = cluster_v2.assignments, bins = bins_six.bins, stats = embed_v2.stats, history = train_v2.history, models = cluster_v2.models }
}

# v2.1: distribution-aware scaling (DESIGN.md §1)
stage "scale" "scale_v2_1" {
  inputs   = { bins = bins_six.bins }
  features = ["gra", "ms", "ngr", "r", "g", "b"]
}

stage "train" "train_v2_1" {
  inputs = { train = scale_v2_1.train, val = scale_v2_1.val }
}

stage "embed" "embed_v2_1" {
  inputs = { model = train_v2_1.model, train = scale_v2_1.train, val = scale_v2_1.val, test = scale_v2_1.test }
}

stage "cluster" "cluster_v2_1" {
  inputs = { latent = embed_v2_1.latent }
  ks     = [10, 12, 15, 18, 20]
}

stage "evaluate" "evaluate_v2_1" {
  inputs = { latent = embed_v2_1.latent, assignments = cluster_v2_1.assignments, bins = bins_six.bins, stats = embed_v2_1.stats, history = train_v2_1.history, models = cluster_v2_1.models }
}

# v2.2: spatial context, each bin with the bins above and below (18 inputs)
stage "scale" "scale_v2_2" {
  inputs   = { bins = bins_six.bins }
  features = ["gra", "ms", "ngr", "r", "g", "b"]
  context  = 1
}

stage "train" "train_v2_2" {
  inputs = { train = scale_v2_2.train, val = scale_v2_2.val }
}

stage "embed" "embed_v2_2" {
  inputs = { model = train_v2_2.model, train = scale_v2_2.train, val = scale_v2_2.val, test = scale_v2_2.test }
}

stage "cluster" "cluster_v2_2" {
  inputs = { latent = embed_v2_2.latent }
  ks     = [10, 12, 15, 18, 20]
}

stage "evaluate" "evaluate_v2_2" {
  inputs = { latent = embed_v2_2.latent, assignments = cluster_v2_2.assignments, bins = bins_six.bins, stats = embed_v2_2.stats, history = train_v2_2.history, models = cluster_v2_2.models }
}

# v2.6.1: RSC L*a*b* and MSP instead of RGB (7 inputs)
stage "scale" "scale_v2_6_1" {
  inputs   = { bins = bins_rsc.bins }
  features = ["gra", "ms", "ngr", "rsc_l", "rsc_a", "rsc_b", "msp"]
}

stage "train" "train_v2_6_1" {
  inputs = { train = scale_v2_6_1.train, val = scale_v2_6_1.val }
}

stage "embed" "embed_v2_6_1" {
  inputs = { model = train_v2_6_1.model, train = scale_v2_6_1.train, val = scale_v2_6_1.val, test = scale_v2_6_1.test }
}

stage "cluster" "cluster_v2_6_1" {
  inputs = { latent = embed_v2_6_1.latent }
  ks     = [10, 12, 15, 18, 20]
}

stage "evaluate" "evaluate_v2_6_1" {
  inputs = { latent = embed_v2_6_1.latent, assignments = cluster_v2_6_1.assignments, bins = bins_rsc.bins, stats = embed_v2_6_1.stats, history = train_v2_6_1.history, models = cluster_v2_6_1.models }
}

# v2.6.3: RGB only (3 inputs), on the bins of v2
stage "scale" "scale_v2_6_3" {
  inputs   = { bins = bins_six.bins }
  features = ["r", "g", "b"]
}

stage "train" "train_v2_6_3" {
  inputs = { train = scale_v2_6_3.train, val = scale_v2_6_3.val }
}

stage "embed" "embed_v2_6_3" {
  inputs = { model = train_v2_6_3.model, train = scale_v2_6_3.train, val = scale_v2_6_3.val, test = scale_v2_6_3.test }
}

stage "cluster" "cluster_v2_6_3" {
  inputs = { latent = embed_v2_6_3.latent }
  ks     = [10, 12, 15, 18, 20]
}

stage "evaluate" "evaluate_v2_6_3" {
  inputs = { latent = embed_v2_6_3.latent, assignments = cluster_v2_6_3.assignments, bins = bins_six.bins, stats = embed_v2_6_3.stats, history = train_v2_6_3.history, models = cluster_v2_6_3.models }
}

# MAD (legacy): porosity, grain density, P-wave velocity, thermal conductivity, 5 cm bins
stage "scale" "scale_mad" {
  inputs   = { bins = bins_mad.bins }
  features = ["porosity", "grain_density", "vp", "tcon"]
}

stage "train" "train_mad" {
  inputs = { train = scale_mad.train, val = scale_mad.val }
  latent_dim = 2
}

stage "embed" "embed_mad" {
  inputs = { model = train_mad.model, train = scale_mad.train, val = scale_mad.val, test = scale_mad.test }
}

stage "cluster" "cluster_mad" {
  inputs = { latent = embed_mad.latent }
  ks     = [2, 3, 4]
}

stage "evaluate" "evaluate_mad" {
  inputs = { latent = embed_mad.latent, assignments = cluster_mad.assignments, bins = bins_mad.bins, stats = embed_mad.stats, history = train_mad.history, models = cluster_mad.models }
}
