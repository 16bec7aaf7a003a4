# want: testdata/invalid/endpoint_credentials.hcl:4:14: Credentials in the store block
store {
  remote   = "s3://litho-cache/team"
  endpoint = "AKIAKEY:SUPERSECRET@minio.example.org:9000"
}
source "gen" {}
