# The whole research of DESIGN.md §1b: the sixteen models as instances
# of one pipeline, sharing what they have in common (one source, one
# ingest, five bin joins, eight scalings). Print the comparison table with
#   litho --file examples/seed-models.hcl run
#   litho --file examples/seed-models.hcl compare --md
# Training settings: the models up to v2.1 train with a constant β = 1
# (the standard VAE the series started from); v2.5 changes β to 0.5; v2.6
# anneals it; every later model keeps v2.6's schedule (latent 8) unless
# its row says otherwise. Every model stops early by the seed's rule
# (validation loss from the first epoch, patience 15). Instances with
# equal settings and inputs share one key, so the latent sweep's 8 and
# 10 are v2.6's and v2.6.6's models, trained once.

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

# v1 labelled a bin by its first row, later versions by the mode.
stage "bin" "bins_v1" {
  inputs = { gra = ingest.gra, ms = ingest.ms, ngr = ingest.ngr }
  label  = "first"
}

# GRA, MS and NGR alone reach far more boreholes (v2.6.2's pretraining).
stage "bin" "bins_phys" {
  inputs = { gra = ingest.gra, ms = ingest.ms, ngr = ingest.ngr }
}

stage "bin" "bins_six" {
  inputs = { gra = ingest.gra, ms = ingest.ms, ngr = ingest.ngr, rgb = ingest.rgb }
}

stage "bin" "bins_rsc" {
  inputs = { gra = ingest.gra, ms = ingest.ms, ngr = ingest.ngr, rsc = ingest.rsc, msp = ingest.msp }
}

stage "bin" "bins_mad" {
  inputs = { mad = ingest.mad, pwc = ingest.pwc, tcon = ingest.tcon }
  size   = 0.05
}

stage "scale" "scale_v1" {
  inputs   = { bins = bins_v1.bins }
  features = ["gra", "ms", "ngr"]
}

stage "scale" "scale_phys" {
  inputs   = { bins = bins_phys.bins }
  features = ["gra", "ms", "ngr"]
}

stage "scale" "scale_standard" {
  inputs   = { bins = bins_six.bins }
  features = ["gra", "ms", "ngr", "r", "g", "b"]
  scaling  = "standard"
}

stage "scale" "scale_six" {
  inputs   = { bins = bins_six.bins }
  features = ["gra", "ms", "ngr", "r", "g", "b"]
}

stage "scale" "scale_context" {
  inputs   = { bins = bins_six.bins }
  features = ["gra", "ms", "ngr", "r", "g", "b"]
  context  = 1
}

stage "scale" "scale_rsc" {
  inputs   = { bins = bins_rsc.bins }
  features = ["gra", "ms", "ngr", "rsc_l", "rsc_a", "rsc_b", "msp"]
}

stage "scale" "scale_rgb" {
  inputs   = { bins = bins_six.bins }
  features = ["r", "g", "b"]
}

stage "scale" "scale_mad" {
  inputs   = { bins = bins_mad.bins }
  features = ["porosity", "grain_density", "vp", "tcon"]
}

# MAD (legacy), latent 2: porosity, grain density, P-wave velocity, thermal conductivity at 5 cm
stage "train" "train_mad_l2" {
  inputs = { train = scale_mad.train, val = scale_mad.val }
  latent_dim = 2
}

stage "embed" "embed_mad_l2" {
  inputs = { model = train_mad_l2.model, train = scale_mad.train, val = scale_mad.val, test = scale_mad.test }
}

stage "cluster" "cluster_mad_l2" {
  inputs = { latent = embed_mad_l2.latent }
  ks     = [2, 3, 4]
}

stage "evaluate" "evaluate_mad_l2" {
  inputs = { latent = embed_mad_l2.latent, assignments = cluster_mad_l2.assignments, bins = bins_mad.bins, stats = embed_mad_l2.stats, history = train_mad_l2.history, models = cluster_mad_l2.models }
}

# MAD (legacy), latent 8
stage "train" "train_mad_l8" {
  inputs = { train = scale_mad.train, val = scale_mad.val }
  latent_dim = 8
}

stage "embed" "embed_mad_l8" {
  inputs = { model = train_mad_l8.model, train = scale_mad.train, val = scale_mad.val, test = scale_mad.test }
}

stage "cluster" "cluster_mad_l8" {
  inputs = { latent = embed_mad_l8.latent }
  ks     = [2, 3, 4]
}

stage "evaluate" "evaluate_mad_l8" {
  inputs = { latent = embed_mad_l8.latent, assignments = cluster_mad_l8.assignments, bins = bins_mad.bins, stats = embed_mad_l8.stats, history = train_mad_l8.history, models = cluster_mad_l8.models }
}

# v1: GRA, MS, NGR (3 inputs), 20 cm bins, first-row labels
stage "train" "train_v1" {
  inputs = { train = scale_v1.train, val = scale_v1.val }
  beta_schedule = "constant"
  beta_end      = 1.0
}

stage "embed" "embed_v1" {
  inputs = { model = train_v1.model, train = scale_v1.train, val = scale_v1.val, test = scale_v1.test }
}

stage "cluster" "cluster_v1" {
  inputs = { latent = embed_v1.latent }
}

stage "evaluate" "evaluate_v1" {
  inputs = { latent = embed_v1.latent, assignments = cluster_v1.assignments, bins = bins_v1.bins, stats = embed_v1.stats, history = train_v1.history, models = cluster_v1.models }
}

# v2: + R, G, B (6 inputs), mode labels, plain z-scores
stage "train" "train_v2" {
  inputs = { train = scale_standard.train, val = scale_standard.val }
  beta_schedule = "constant"
  beta_end      = 1.0
}

stage "embed" "embed_v2" {
  inputs = { model = train_v2.model, train = scale_standard.train, val = scale_standard.val, test = scale_standard.test }
}

stage "cluster" "cluster_v2" {
  inputs = { latent = embed_v2.latent }
}

stage "evaluate" "evaluate_v2" {
  inputs = { latent = embed_v2.latent, assignments = cluster_v2.assignments, bins = bins_six.bins, stats = embed_v2.stats, history = train_v2.history, models = cluster_v2.models }
}

# v2.1: distribution-aware scaling
stage "train" "train_v2_1" {
  inputs = { train = scale_six.train, val = scale_six.val }
  beta_schedule = "constant"
  beta_end      = 1.0
}

stage "embed" "embed_v2_1" {
  inputs = { model = train_v2_1.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_1" {
  inputs = { latent = embed_v2_1.latent }
}

stage "evaluate" "evaluate_v2_1" {
  inputs = { latent = embed_v2_1.latent, assignments = cluster_v2_1.assignments, bins = bins_six.bins, stats = embed_v2_1.stats, history = train_v2_1.history, models = cluster_v2_1.models }
}

# v2.5: constant β = 0.5 instead of 1.0
stage "train" "train_v2_5" {
  inputs = { train = scale_six.train, val = scale_six.val }
  beta_schedule = "constant"
  beta_end      = 0.5
}

stage "embed" "embed_v2_5" {
  inputs = { model = train_v2_5.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_5" {
  inputs = { latent = embed_v2_5.latent }
}

stage "evaluate" "evaluate_v2_5" {
  inputs = { latent = embed_v2_5.latent, assignments = cluster_v2_5.assignments, bins = bins_six.bins, stats = embed_v2_5.stats, history = train_v2_5.history, models = cluster_v2_5.models }
}

# v2.6: β annealed 0.001 → 0.5 over 50 epochs; latent 8
stage "train" "train_v2_6" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 8
}

stage "embed" "embed_v2_6" {
  inputs = { model = train_v2_6.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_6" {
  inputs = { latent = embed_v2_6.latent }
}

stage "evaluate" "evaluate_v2_6" {
  inputs = { latent = embed_v2_6.latent, assignments = cluster_v2_6.assignments, bins = bins_six.bins, stats = embed_v2_6.stats, history = train_v2_6.history, models = cluster_v2_6.models }
}

# v2.6.6: latent 10, GMM with full covariance (the production model)
stage "train" "train_v2_6_6" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 10
}

stage "embed" "embed_v2_6_6" {
  inputs = { model = train_v2_6_6.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_6_6" {
  inputs = { latent = embed_v2_6_6.latent }
}

stage "evaluate" "evaluate_v2_6_6" {
  inputs = { latent = embed_v2_6_6.latent, assignments = cluster_v2_6_6.assignments, bins = bins_six.bins, stats = embed_v2_6_6.stats, history = train_v2_6_6.history, models = cluster_v2_6_6.models }
}

# latent sweep: latent 2
stage "train" "train_latent_2" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 2
}

stage "embed" "embed_latent_2" {
  inputs = { model = train_latent_2.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_latent_2" {
  inputs = { latent = embed_latent_2.latent }
}

stage "evaluate" "evaluate_latent_2" {
  inputs = { latent = embed_latent_2.latent, assignments = cluster_latent_2.assignments, bins = bins_six.bins, stats = embed_latent_2.stats, history = train_latent_2.history, models = cluster_latent_2.models }
}

# latent sweep: latent 4
stage "train" "train_latent_4" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 4
}

stage "embed" "embed_latent_4" {
  inputs = { model = train_latent_4.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_latent_4" {
  inputs = { latent = embed_latent_4.latent }
}

stage "evaluate" "evaluate_latent_4" {
  inputs = { latent = embed_latent_4.latent, assignments = cluster_latent_4.assignments, bins = bins_six.bins, stats = embed_latent_4.stats, history = train_latent_4.history, models = cluster_latent_4.models }
}

# latent sweep: latent 6
stage "train" "train_latent_6" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 6
}

stage "embed" "embed_latent_6" {
  inputs = { model = train_latent_6.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_latent_6" {
  inputs = { latent = embed_latent_6.latent }
}

stage "evaluate" "evaluate_latent_6" {
  inputs = { latent = embed_latent_6.latent, assignments = cluster_latent_6.assignments, bins = bins_six.bins, stats = embed_latent_6.stats, history = train_latent_6.history, models = cluster_latent_6.models }
}

# latent sweep: latent 8
stage "train" "train_latent_8" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 8
}

stage "embed" "embed_latent_8" {
  inputs = { model = train_latent_8.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_latent_8" {
  inputs = { latent = embed_latent_8.latent }
}

stage "evaluate" "evaluate_latent_8" {
  inputs = { latent = embed_latent_8.latent, assignments = cluster_latent_8.assignments, bins = bins_six.bins, stats = embed_latent_8.stats, history = train_latent_8.history, models = cluster_latent_8.models }
}

# latent sweep: latent 10
stage "train" "train_latent_10" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 10
}

stage "embed" "embed_latent_10" {
  inputs = { model = train_latent_10.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_latent_10" {
  inputs = { latent = embed_latent_10.latent }
}

stage "evaluate" "evaluate_latent_10" {
  inputs = { latent = embed_latent_10.latent, assignments = cluster_latent_10.assignments, bins = bins_six.bins, stats = embed_latent_10.stats, history = train_latent_10.history, models = cluster_latent_10.models }
}

# latent sweep: latent 12
stage "train" "train_latent_12" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 12
}

stage "embed" "embed_latent_12" {
  inputs = { model = train_latent_12.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_latent_12" {
  inputs = { latent = embed_latent_12.latent }
}

stage "evaluate" "evaluate_latent_12" {
  inputs = { latent = embed_latent_12.latent, assignments = cluster_latent_12.assignments, bins = bins_six.bins, stats = embed_latent_12.stats, history = train_latent_12.history, models = cluster_latent_12.models }
}

# v2.2: spatial context, each bin with the bins above and below (18 inputs)
stage "train" "train_v2_2" {
  inputs = { train = scale_context.train, val = scale_context.val }
  latent_dim = 8
}

stage "embed" "embed_v2_2" {
  inputs = { model = train_v2_2.model, train = scale_context.train, val = scale_context.val, test = scale_context.test }
}

stage "cluster" "cluster_v2_2" {
  inputs = { latent = embed_v2_2.latent }
}

stage "evaluate" "evaluate_v2_2" {
  inputs = { latent = embed_v2_2.latent, assignments = cluster_v2_2.assignments, bins = bins_six.bins, stats = embed_v2_2.stats, history = train_v2_2.history, models = cluster_v2_2.models }
}

# v3: dual encoders (GRA/MS/NGR and RGB), late fusion
stage "train" "train_v3" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 8
  encoder    = "dual"
  groups     = [["gra", "ms", "ngr"], ["r", "g", "b"]]
}

stage "embed" "embed_v3" {
  inputs = { model = train_v3.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v3" {
  inputs = { latent = embed_v3.latent }
}

stage "evaluate" "evaluate_v3" {
  inputs = { latent = embed_v3.latent, assignments = cluster_v3.assignments, bins = bins_six.bins, stats = embed_v3.stats, history = train_v3.history, models = cluster_v3.models }
}

# v2.6.1: RSC L*a*b* and MSP instead of RGB (7 inputs)
stage "train" "train_v2_6_1" {
  inputs = { train = scale_rsc.train, val = scale_rsc.val }
  latent_dim = 8
}

stage "embed" "embed_v2_6_1" {
  inputs = { model = train_v2_6_1.model, train = scale_rsc.train, val = scale_rsc.val, test = scale_rsc.test }
}

stage "cluster" "cluster_v2_6_1" {
  inputs = { latent = embed_v2_6_1.latent }
}

stage "evaluate" "evaluate_v2_6_1" {
  inputs = { latent = embed_v2_6_1.latent, assignments = cluster_v2_6_1.assignments, bins = bins_rsc.bins, stats = embed_v2_6_1.stats, history = train_v2_6_1.history, models = cluster_v2_6_1.models }
}

# v2.6.2's pretraining on GRA, MS and NGR (every borehole that has them)
stage "train" "train_pretrain_phys" {
  inputs = { train = scale_phys.train, val = scale_phys.val }
  latent_dim = 8
}

# v2.6.2: fine-tuned with RGB from the GRA/MS/NGR model (layers that fit are copied)
stage "train" "train_v2_6_2" {
  inputs = { train = scale_six.train, val = scale_six.val, init = train_pretrain_phys.model }
  latent_dim = 8
}

stage "embed" "embed_v2_6_2" {
  inputs = { model = train_v2_6_2.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_6_2" {
  inputs = { latent = embed_v2_6_2.latent }
}

stage "evaluate" "evaluate_v2_6_2" {
  inputs = { latent = embed_v2_6_2.latent, assignments = cluster_v2_6_2.assignments, bins = bins_six.bins, stats = embed_v2_6_2.stats, history = train_v2_6_2.history, models = cluster_v2_6_2.models }
}

# v2.6.3: RGB only (3 inputs)
stage "train" "train_v2_6_3" {
  inputs = { train = scale_rgb.train, val = scale_rgb.val }
  latent_dim = 8
}

stage "embed" "embed_v2_6_3" {
  inputs = { model = train_v2_6_3.model, train = scale_rgb.train, val = scale_rgb.val, test = scale_rgb.test }
}

stage "cluster" "cluster_v2_6_3" {
  inputs = { latent = embed_v2_6_3.latent }
}

stage "evaluate" "evaluate_v2_6_3" {
  inputs = { latent = embed_v2_6_3.latent, assignments = cluster_v2_6_3.assignments, bins = bins_six.bins, stats = embed_v2_6_3.stats, history = train_v2_6_3.history, models = cluster_v2_6_3.models }
}

# v2.6.4's physical encoder: GRA, MS, NGR → 4
stage "train" "train_pretrain_phys4" {
  inputs = { train = scale_phys.train, val = scale_phys.val }
  latent_dim = 4
}

# v2.6.4's colour encoder: R, G, B → 4
stage "train" "train_pretrain_rgb4" {
  inputs = { train = scale_rgb.train, val = scale_rgb.val }
  latent_dim = 4
}

# v2.6.4: the two pretrained encoders, concatenated to 8, feeding a trained fusion decoder
stage "train" "train_v2_6_4" {
  inputs = { train = scale_six.train, val = scale_six.val, init = train_pretrain_phys4.model, init2 = train_pretrain_rgb4.model }
  latent_dim = 8
  encoder    = "dual"
  groups     = [["gra", "ms", "ngr"], ["r", "g", "b"]]
  freeze     = ["encoder_0", "encoder_1"]
}

stage "embed" "embed_v2_6_4" {
  inputs = { model = train_v2_6_4.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_6_4" {
  inputs = { latent = embed_v2_6_4.latent }
}

stage "evaluate" "evaluate_v2_6_4" {
  inputs = { latent = embed_v2_6_4.latent, assignments = cluster_v2_6_4.assignments, bins = bins_six.bins, stats = embed_v2_6_4.stats, history = train_v2_6_4.history, models = cluster_v2_6_4.models }
}

# v2.10: VampPrior, 50 learned pseudo-inputs
stage "train" "train_v2_10" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 8
  prior      = "vamp"
  pseudo_inputs = 50
}

stage "embed" "embed_v2_10" {
  inputs = { model = train_v2_10.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_10" {
  inputs = { latent = embed_v2_10.latent }
}

stage "evaluate" "evaluate_v2_10" {
  inputs = { latent = embed_v2_10.latent, assignments = cluster_v2_10.assignments, bins = bins_six.bins, stats = embed_v2_10.stats, history = train_v2_10.history, models = cluster_v2_10.models }
}

# v2.11: masked training, block (30 % of rows lose NGR and RGB)
stage "train" "train_v2_11_block" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 8
  masking    = "block"
  mask_rate  = 0.3
}

stage "embed" "embed_v2_11_block" {
  inputs = { model = train_v2_11_block.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_11_block" {
  inputs = { latent = embed_v2_11_block.latent }
}

stage "evaluate" "evaluate_v2_11_block" {
  inputs = { latent = embed_v2_11_block.latent, assignments = cluster_v2_11_block.assignments, bins = bins_six.bins, stats = embed_v2_11_block.stats, history = train_v2_11_block.history, models = cluster_v2_11_block.models }
}

# v2.11: masked training, random (each feature 15 %)
stage "train" "train_v2_11_random" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 8
  masking    = "random"
  mask_rate  = 0.15
}

stage "embed" "embed_v2_11_random" {
  inputs = { model = train_v2_11_random.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_11_random" {
  inputs = { latent = embed_v2_11_random.latent }
}

stage "evaluate" "evaluate_v2_11_random" {
  inputs = { latent = embed_v2_11_random.latent, assignments = cluster_v2_11_random.assignments, bins = bins_six.bins, stats = embed_v2_11_random.stats, history = train_v2_11_random.history, models = cluster_v2_11_random.models }
}

# v2.11: masked training, borehole (10 % of features per borehole)
stage "train" "train_v2_11_borehole" {
  inputs = { train = scale_six.train, val = scale_six.val }
  latent_dim = 8
  masking    = "borehole"
  mask_rate  = 0.1
}

stage "embed" "embed_v2_11_borehole" {
  inputs = { model = train_v2_11_borehole.model, train = scale_six.train, val = scale_six.val, test = scale_six.test }
}

stage "cluster" "cluster_v2_11_borehole" {
  inputs = { latent = embed_v2_11_borehole.latent }
}

stage "evaluate" "evaluate_v2_11_borehole" {
  inputs = { latent = embed_v2_11_borehole.latent, assignments = cluster_v2_11_borehole.assignments, bins = bins_six.bins, stats = embed_v2_11_borehole.stats, history = train_v2_11_borehole.history, models = cluster_v2_11_borehole.models }
}
