package main

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/curpipe/curpipe/io/ecrio"
)

// pushImage sends img to the registry as ref. An ECR registry is logged
// in to with the process's AWS credentials (ecr:GetAuthorizationToken
// and the repository's push calls); any other with the Docker config's
// credentials, as crane and docker do.
func pushImage(ctx context.Context, img v1.Image, ref string, opts ...name.Option) error {
	tag, err := name.NewTag(ref, opts...)
	if err != nil {
		return fmt.Errorf("push %q: %w", ref, err)
	}
	auth := remote.WithAuthFromKeychain(authn.DefaultKeychain)
	if host := tag.RegistryStr(); ecrio.IsRegistry(host) {
		user, password, err := ecrio.Login(ctx, host)
		if err != nil {
			return err
		}
		auth = remote.WithAuth(&authn.Basic{Username: user, Password: password})
	}
	if err := remote.Write(tag, img, auth, remote.WithContext(ctx)); err != nil {
		return fmt.Errorf("push %s: %w", tag, err)
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("pushed %s@%s\n", tag.Context(), d)
	return nil
}
