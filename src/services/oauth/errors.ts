/**
 * OAuth errors: members of the hub's error family that also carry the RFC 6749 /
 * RFC 9449 error code (`invalid_client`, `use_dpop_nonce`, ...), and, when the
 * client must retry with one, a fresh DPoP nonce. The token endpoint renders them
 * as `{error, error_description}`; the Okta API edge maps the verifier's to
 * E0000011 (see `oktaErrorCode`) and sends `wwwAuthenticate` as WWW-Authenticate.
 */
import { IdsyncError } from '../../core/errors.js';
import { CLIENT_SIGNING_ALGS } from '../../crypto/jwt.js';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'invalid_token'
  | 'insufficient_scope';

export class OAuthError extends IdsyncError {
  readonly oauthError: OAuthErrorCode;
  /** A nonce to put in the next DPoP proof (sent as the DPoP-Nonce header). */
  readonly dpopNonce: string | undefined;
  /** For resource requests: the WWW-Authenticate challenge to send with the 401. */
  readonly wwwAuthenticate: string | undefined;
  /** The Okta API error code this maps to: E0000011 (invalid token) for every resource-request failure. */
  readonly oktaErrorCode: string | undefined;

  constructor(
    status: 400 | 401,
    oauthError: OAuthErrorCode,
    description: string,
    extra: { dpopNonce?: string; wwwAuthenticate?: string; oktaErrorCode?: string; cause?: unknown } = {},
  ) {
    super(status === 401 ? 'unauthorized' : 'invalid', `OAUTH_${oauthError.toUpperCase()}`, description, extra.cause === undefined ? {} : { cause: extra.cause });
    this.name = 'OAuthError';
    this.oauthError = oauthError;
    this.dpopNonce = extra.dpopNonce;
    this.wwwAuthenticate = extra.wwwAuthenticate;
    this.oktaErrorCode = extra.oktaErrorCode;
  }
}

export function isOAuthError(e: unknown): e is OAuthError {
  return e instanceof OAuthError;
}

/** A failed client authentication at the token endpoint (RFC 6749 section 5.2: 401). */
export const invalidClient = (description: string, cause?: unknown): OAuthError =>
  new OAuthError(401, 'invalid_client', description, cause === undefined ? {} : { cause });

export const invalidRequest = (description: string): OAuthError => new OAuthError(400, 'invalid_request', description);

export const invalidDpopProof = (description: string): OAuthError => new OAuthError(400, 'invalid_dpop_proof', description);

/** A resource request with a bad or missing token or proof: 401 with a challenge naming the scheme. */
export function invalidToken(description: string, opts: { dpop: boolean; error?: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce'; dpopNonce?: string }): OAuthError {
  const error = opts.error ?? 'invalid_token';
  const quoted = description.replace(/["\\]/g, "'");
  const challenge = opts.dpop
    ? `DPoP algs="${CLIENT_SIGNING_ALGS.join(' ')}", error="${error}", error_description="${quoted}"`
    : `Bearer error="${error}", error_description="${quoted}"`;
  return new OAuthError(401, error, description, {
    wwwAuthenticate: challenge,
    oktaErrorCode: 'E0000011',
    ...(opts.dpopNonce === undefined ? {} : { dpopNonce: opts.dpopNonce }),
  });
}
