# want: testdata/invalid/comment_only.hcl:1:1: Empty pipeline
# Everything here was commented out:
# source "gen" {}
