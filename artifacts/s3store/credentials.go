package s3store

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/minio/minio-go/v7/pkg/credentials"
	"gopkg.in/ini.v1"
)

// The credential chain, in the order the AWS SDKs try it:
//
//  1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
//     AWS_SESSION_TOKEN, then MINIO_ROOT_USER/MINIO_ROOT_PASSWORD or
//     MINIO_ACCESS_KEY/MINIO_SECRET_KEY;
//  2. the profile AWS_PROFILE names (else "default"): its [name] in the
//     shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
//     ~/.aws/credentials), else its [profile name] in the config file
//     (AWS_CONFIG_FILE, else ~/.aws/config); keys, credential_process or
//     SSO, as minio-go reads them;
//  3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (EKS);
//  4. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
//     _FULL_URI (ECS, EKS pod identity);
//  5. the EC2 instance metadata service, unless AWS_EC2_METADATA_DISABLED
//     is true (AWS_EC2_METADATA_SERVICE_ENDPOINT moves it).
//
// Everything is read from Config.Env. The first step that has
// credentials is used alone, so the network is asked (steps 3–5) only
// when neither the environment nor the files hold any, and only when a
// remote store is opened at all.

// imdsTimeout bounds a call to the instance metadata service, which off
// EC2 would otherwise hang until TCP gives up.
const imdsTimeout = 5 * time.Second

// chain is where Open's credentials and region come from.
type chain struct {
	provider *sourced
	source   string // for messages: where, never what
	region   string
}

// resolveChain picks the first step of the chain that has credentials,
// and the region: cfg.Region, AWS_REGION, AWS_DEFAULT_REGION, the
// profile's region in the config file.
func resolveChain(cfg Config) (chain, error) {
	env := cfg.Env
	if env == nil {
		env = os.Getenv
	}
	sh, err := loadShared(env)
	if err != nil {
		return chain{}, err
	}
	region := firstSet(cfg.Region, env("AWS_REGION"), env("AWS_DEFAULT_REGION"), sh.region())
	p, source, err := pickProvider(env, sh, region)
	if err != nil {
		return chain{}, err
	}
	return chain{provider: &sourced{Provider: p, source: source}, source: source, region: region}, nil
}

func pickProvider(env func(string) string, sh *shared, region string) (credentials.Provider, string, error) {
	id, secret := firstSet(env("AWS_ACCESS_KEY_ID"), env("AWS_ACCESS_KEY")), firstSet(env("AWS_SECRET_ACCESS_KEY"), env("AWS_SECRET_KEY"))
	switch {
	case id != "" && secret != "":
		return static(id, secret, env("AWS_SESSION_TOKEN")), "the environment (AWS_ACCESS_KEY_ID)", nil
	case id != "":
		return nil, "", errors.New("AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) is set but AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY) is not")
	case secret != "":
		return nil, "", errors.New("AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY) is set but AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) is not")
	}
	for _, pair := range [][2]string{{"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"}, {"MINIO_ACCESS_KEY", "MINIO_SECRET_KEY"}} {
		if id, secret := env(pair[0]), env(pair[1]); id != "" && secret != "" {
			return static(id, secret, ""), "the environment (" + pair[0] + ")", nil
		}
	}
	if p, source, err := sh.provider(); p != nil || err != nil {
		return p, source, err
	}
	// minio-go's IAM reads these variables from the process environment
	// itself as well; litho passes its own, which in a run are the same.
	iam := &credentials.IAM{Region: region}
	switch {
	case env("AWS_WEB_IDENTITY_TOKEN_FILE") != "":
		iam.EKSIdentity.TokenFile = env("AWS_WEB_IDENTITY_TOKEN_FILE")
		iam.EKSIdentity.RoleARN = env("AWS_ROLE_ARN")
		iam.EKSIdentity.RoleSessionName = env("AWS_ROLE_SESSION_NAME")
		return iam, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE, role " + env("AWS_ROLE_ARN") + ")", nil
	case env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "" || env("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "":
		iam.Container.CredentialsRelativeURI = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
		iam.Container.CredentialsFullURI = env("AWS_CONTAINER_CREDENTIALS_FULL_URI")
		return iam, "container credentials (AWS_CONTAINER_CREDENTIALS_*)", nil
	case env("AWS_EC2_METADATA_DISABLED") == "true":
		return nil, "", fmt.Errorf("no AWS credentials: none in the environment, %s; and the instance metadata service is off (AWS_EC2_METADATA_DISABLED)", sh.describe())
	}
	iam.Endpoint = firstSet(env("AWS_EC2_METADATA_SERVICE_ENDPOINT"), credentials.DefaultIAMRoleEndpoint)
	iam.Client = &http.Client{Timeout: imdsTimeout}
	return iam, fmt.Sprintf("the EC2 instance metadata service at %s, as none are in the environment, %s", iam.Endpoint, sh.describe()), nil
}

func static(id, secret, token string) credentials.Provider {
	return &credentials.Static{Value: credentials.Value{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, SignerType: credentials.SignatureV4}}
}

// sourced names its step of the chain in its errors.
type sourced struct {
	credentials.Provider
	source string

	mu   sync.Mutex
	seen []string // every key, secret and token handed out, to scrub from errors
}

// secrets are the credential values retrieved so far: an error may quote
// any of them, the current or an expired one, and listing them needs no
// refresh (an instance-metadata call) on an error path.
func (s *sourced) secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

func (s *sourced) Retrieve() (credentials.Value, error) {
	return s.RetrieveWithCredContext(nil)
}

func (s *sourced) RetrieveWithCredContext(cc *credentials.CredContext) (credentials.Value, error) {
	v, err := s.Provider.RetrieveWithCredContext(cc)
	if err != nil {
		return v, fmt.Errorf("credentials from %s: %w", s.source, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range []string{v.AccessKeyID, v.SecretAccessKey, v.SessionToken} {
		if x != "" && !slices.Contains(s.seen, x) {
			s.seen = append(s.seen, x)
		}
	}
	return v, nil
}

// shared is the AWS shared credentials and config files, as far as they
// exist, and the profile to read from them.
type shared struct {
	profile            string
	named              bool // AWS_PROFILE chose it
	credPath, confPath string
	cred, conf         *ini.File // nil where the file does not exist
}

func loadShared(env func(string) string) (*shared, error) {
	sh := &shared{profile: env("AWS_PROFILE"), named: true}
	if sh.profile == "" {
		sh.profile, sh.named = "default", false
	}
	home := env("HOME")
	sh.credPath = firstSet(env("AWS_SHARED_CREDENTIALS_FILE"), underHome(home, "credentials"))
	sh.confPath = firstSet(env("AWS_CONFIG_FILE"), underHome(home, "config"))
	var err error
	if sh.cred, err = loadINI(sh.credPath); err != nil {
		return nil, err
	}
	if sh.conf, err = loadINI(sh.confPath); err != nil {
		return nil, err
	}
	return sh, nil
}

func underHome(home, name string) string {
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".aws", name)
}

func loadINI(path string) (*ini.File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := ini.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("AWS shared file %s: %w", path, err)
	}
	return f, nil
}

// credSection is the profile's section of the credentials file: [name].
func (sh *shared) credSection() *ini.Section {
	return section(sh.cred, sh.profile)
}

// confSection is the profile's section of the config file: [profile
// name], or [default] for the default profile.
func (sh *shared) confSection() *ini.Section {
	if s := section(sh.conf, "profile "+sh.profile); s != nil || sh.profile != "default" {
		return s
	}
	return section(sh.conf, "default")
}

func section(f *ini.File, name string) *ini.Section {
	if f == nil {
		return nil
	}
	s, err := f.GetSection(name)
	if err != nil {
		return nil
	}
	return s
}

func (sh *shared) region() string {
	if s := sh.confSection(); s != nil {
		return s.Key("region").String()
	}
	return ""
}

// credentialKeys are the keys of a profile that hold or lead to
// credentials, which minio-go's file provider reads.
var credentialKeys = []string{"aws_access_key_id", "aws_secret_access_key", "credential_process",
	"sso_role_name", "sso_session", "sso_start_url", "sso_account_id"}

// provider reads the profile from the first file whose section holds
// credentials. An AWS_PROFILE that names no profile at all is an error;
// the default profile may be absent or hold only settings.
func (sh *shared) provider() (credentials.Provider, string, error) {
	found := false
	for _, f := range []struct {
		path string
		sec  *ini.Section
	}{{sh.credPath, sh.credSection()}, {sh.confPath, sh.confSection()}} {
		if f.sec == nil {
			continue
		}
		found = true
		for _, k := range credentialKeys {
			if f.sec.HasKey(k) {
				return &credentials.FileAWSCredentials{Filename: f.path, Profile: sh.profile},
					fmt.Sprintf("profile %q in %s", sh.profile, f.path), nil
			}
		}
		if f.sec.HasKey("role_arn") {
			return nil, "", fmt.Errorf("profile %q in %s assumes a role (role_arn), which litho does not do: give it the role's credentials (environment, keys or credential_process)", sh.profile, f.path)
		}
	}
	if sh.named && !found {
		return nil, "", fmt.Errorf("AWS_PROFILE %q: no such profile (no [%s] in %s, no [profile %s] in %s)",
			sh.profile, sh.profile, fileState(sh.credPath, sh.cred), sh.profile, fileState(sh.confPath, sh.conf))
	}
	return nil, "", nil
}

// describe says what the files offered, for the error when nothing did.
func (sh *shared) describe() string {
	return fmt.Sprintf("no credentials for profile %q in %s or %s", sh.profile, fileState(sh.credPath, sh.cred), fileState(sh.confPath, sh.conf))
}

func fileState(path string, f *ini.File) string {
	switch {
	case path == "":
		return "the shared files (HOME is not set)"
	case f == nil:
		return path + " (does not exist)"
	}
	return path
}

func firstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
