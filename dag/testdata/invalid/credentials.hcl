# want: testdata/invalid/credentials.hcl:3:3: Unknown store setting
store {
  secret_key = "abc"
}
source "gen" {}
