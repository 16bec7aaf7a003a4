package s3store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// awsFiles writes a shared credentials file and a config file under a
// fresh home's .aws, as the AWS CLI lays them out.
func awsFiles(t *testing.T, credentials, config string) (home string) {
	t.Helper()
	home = t.TempDir()
	os.Mkdir(filepath.Join(home, ".aws"), 0o700)
	for name, text := range map[string]string{"credentials": credentials, "config": config} {
		if text != "" {
			if err := os.WriteFile(filepath.Join(home, ".aws", name), []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return home
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const (
	testCredentials = "[default]\naws_access_key_id = DEFAULTID\naws_secret_access_key = defaultsecret\n\n" +
		"[dev]\naws_access_key_id = DEVID\naws_secret_access_key = devsecret\naws_session_token = devtoken\n\n" +
		"[both]\naws_access_key_id = BOTHID\naws_secret_access_key = bothsecret\n"
	testConfig = "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = eu-north-1\n\n" +
		"[profile cfg]\naws_access_key_id = CFGID\naws_secret_access_key = cfgsecret\nregion = ap-south-1\n\n" +
		"[profile role]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n\n[profile settings]\noutput = json\n\n" +
		"[profile both]\naws_access_key_id = CFGBOTHID\naws_secret_access_key = cfgbothsecret\n"
)

// TestCredentialChain: each step of the chain is taken when the steps
// before it have nothing, from the injected environment alone; the keys
// a file step yields are the profile's; a named profile that exists
// nowhere, a half key pair and a role profile are errors that say so.
// Nothing here reaches the network: an IAM step is only chosen.
func TestCredentialChain(t *testing.T) {
	home := awsFiles(t, testCredentials, testConfig)
	cred, conf := filepath.Join(home, ".aws", "credentials"), filepath.Join(home, ".aws", "config")
	empty := t.TempDir()
	cases := []struct {
		name   string
		env    map[string]string
		source string // a part of the source, or of the error with err
		id     string // the key a static or file step yields
		err    bool
	}{
		{"environment first", map[string]string{"AWS_ACCESS_KEY_ID": "ENVID", "AWS_SECRET_ACCESS_KEY": "s", "AWS_PROFILE": "nosuch", "HOME": home},
			"the environment (AWS_ACCESS_KEY_ID)", "ENVID", false},
		{"half a key pair", map[string]string{"AWS_ACCESS_KEY_ID": "ENVID", "HOME": home}, "AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY) is not", "", true},
		{"minio variables", map[string]string{"MINIO_ROOT_USER": "MINIOID", "MINIO_ROOT_PASSWORD": "s", "HOME": home}, "MINIO_ROOT_USER", "MINIOID", false},
		{"default profile", map[string]string{"HOME": home}, `profile "default" in ` + cred, "DEFAULTID", false},
		{"AWS_PROFILE", map[string]string{"AWS_PROFILE": "dev", "HOME": home}, `profile "dev" in ` + cred, "DEVID", false},
		{"the credentials file before the config file", map[string]string{"AWS_PROFILE": "both", "HOME": home}, `profile "both" in ` + cred, "BOTHID", false},
		{"profile in the config file", map[string]string{"AWS_PROFILE": "cfg", "HOME": home}, `profile "cfg" in ` + conf, "CFGID", false},
		{"named files", map[string]string{"AWS_PROFILE": "dev", "AWS_SHARED_CREDENTIALS_FILE": cred, "AWS_CONFIG_FILE": conf},
			`profile "dev" in ` + cred, "DEVID", false},
		{"missing profile", map[string]string{"AWS_PROFILE": "nosuch", "HOME": home},
			`AWS_PROFILE "nosuch": no such profile (no [nosuch] in ` + cred + `, no [profile nosuch] in ` + conf + `)`, "", true},
		{"missing profile, no files", map[string]string{"AWS_PROFILE": "nosuch", "HOME": empty},
			filepath.Join(empty, ".aws", "credentials") + " (does not exist)", "", true},
		{"role profile", map[string]string{"AWS_PROFILE": "role", "HOME": home}, `profile "role" in ` + conf + ` assumes a role`, "", true},
		{"web identity", map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:r", "HOME": empty}, "web identity", "", false},
		{"container", map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:1/c", "HOME": empty}, "container credentials", "", false},
		{"a profile with settings only falls through", map[string]string{"AWS_PROFILE": "settings", "HOME": home},
			"the EC2 instance metadata service at http://169.254.169.254", "", false},
		{"instance metadata", map[string]string{"HOME": empty, "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1"},
			"the EC2 instance metadata service at http://127.0.0.1:1", "", false},
		{"nothing", map[string]string{"HOME": empty, "AWS_EC2_METADATA_DISABLED": "true"},
			`no AWS credentials: none in the environment, no credentials for profile "default" in ` + filepath.Join(empty, ".aws", "credentials") + " (does not exist)", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, err := resolveChain(Config{Env: envOf(c.env)})
			if c.err {
				if err == nil || !strings.Contains(err.Error(), c.source) {
					t.Fatalf("error %v, want one with %q", err, c.source)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(ch.source, c.source) {
				t.Errorf("source %q, want %q", ch.source, c.source)
			}
			if c.id == "" {
				return
			}
			v, err := ch.provider.Retrieve()
			if err != nil || v.AccessKeyID != c.id {
				t.Errorf("credentials %q, %v; want %s", v.AccessKeyID, err, c.id)
			}
		})
	}
}

// TestRegionPrecedence: the configured region, then AWS_REGION, then
// AWS_DEFAULT_REGION, then the profile's region in the config file.
func TestRegionPrecedence(t *testing.T) {
	home := awsFiles(t, testCredentials, testConfig)
	cases := []struct {
		name, configured string
		env              map[string]string
		want             string
	}{
		{"configured", "us-east-2", map[string]string{"AWS_REGION": "r1", "AWS_DEFAULT_REGION": "r2"}, "us-east-2"},
		{"AWS_REGION", "", map[string]string{"AWS_REGION": "r1", "AWS_DEFAULT_REGION": "r2", "AWS_PROFILE": "dev"}, "r1"},
		{"AWS_DEFAULT_REGION", "", map[string]string{"AWS_DEFAULT_REGION": "r2", "AWS_PROFILE": "dev"}, "r2"},
		{"named profile", "", map[string]string{"AWS_PROFILE": "dev"}, "eu-north-1"},
		{"profile only in the config file", "", map[string]string{"AWS_PROFILE": "cfg"}, "ap-south-1"},
		{"default profile", "", map[string]string{}, "eu-west-1"},
		{"a profile without one", "", map[string]string{"AWS_PROFILE": "settings"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.env["HOME"] = home
			c.env["AWS_ACCESS_KEY_ID"], c.env["AWS_SECRET_ACCESS_KEY"] = "ID", "secret"
			ch, err := resolveChain(Config{Region: c.configured, Env: envOf(c.env)})
			if err != nil || ch.region != c.want {
				t.Errorf("region %q, %v; want %q", ch.region, err, c.want)
			}
		})
	}
}

// TestBrokenSharedFile: a shared file that does not parse is an error
// naming it.
func TestBrokenSharedFile(t *testing.T) {
	home := awsFiles(t, "[default\naws_access_key_id = X\n", "")
	_, err := resolveChain(Config{Env: envOf(map[string]string{"HOME": home})})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(home, ".aws", "credentials")) {
		t.Errorf("error %v, want one naming the credentials file", err)
	}
}
