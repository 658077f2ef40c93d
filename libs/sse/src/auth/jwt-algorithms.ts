import type { KeyObject } from 'node:crypto';

/** The algorithms a shared secret can sign with. */
export const SECRET_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

/** The algorithms a public key or a JWKS can verify (jose 6 also names EdDSA `Ed25519`). */
export const PUBLIC_KEY_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA', 'Ed25519'] as const;

/** What a JWKS accepts unless `jwtAlgorithms` says otherwise: every asymmetric algorithm above. */
export const JWKS_DEFAULT_ALGORITHMS: readonly string[] = PUBLIC_KEY_ALGORITHMS;

/**
 * The algorithm a public key is for, when `jwtAlgorithms` is not given: RSA keys RS256, RSA-PSS
 * keys PS256, EC keys by curve (P-256 ES256, P-384 ES384), Ed25519 keys EdDSA.
 */
export function algorithmsForKey(key: KeyObject): readonly string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256'];
    case 'rsa-pss':
      return ['PS256'];
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? ['ES384'] : ['ES256'];
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return [];
  }
}
