# want: testdata/invalid/remote_credentials.hcl:3:12: Credentials in the store block
store {
  remote = "s3://AKIAKEY:SUPERSECRET@litho-cache/team"
}
source "gen" {}
