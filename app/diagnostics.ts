// What "Test connection" reports, step by step, and the certificate a user may choose to trust.
// Secret-free by construction: no token, header value or ticket is ever part of a report.
import { z } from 'zod';
import { PortholeErrorShape } from './errors.js';
import { PasswordProtection } from './password-protection.js';

export const CertificateInfo = z.object({
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  subjectAltNames: z.array(z.string()),
  serialNumber: z.string(),
  sha256Fingerprint: z.string(),
  spkiSha256: z.string(),
  chainTrusted: z.boolean(),
  hostnameMatches: z.boolean(),
  trusted: z.boolean(),
  verifyError: z.string().optional(),
  pinMatches: z.boolean().optional(),
});
export type CertificateInfo = z.infer<typeof CertificateInfo>;

export const DiagnosticStepName = z.enum(['dns', 'tcp', 'tls', 'websocket', 'rfb', 'security']);

export const DiagnosticStep = z.object({
  step: DiagnosticStepName,
  status: z.enum(['ok', 'failed', 'skipped']),
  ms: z.number().nonnegative(),
  detail: z.string(),
  error: PortholeErrorShape.optional(),
  certificate: CertificateInfo.optional(),
  addresses: z.array(z.string()).optional(),
  httpStatus: z.number().int().optional(),
  rfb: z.object({ version: z.string(), securityTypes: z.array(z.object({ type: z.number().int(), name: z.string() })) }).optional(),
  /** The security step: types offered (named), Porthole's choice, what it needs, whether a known password worked. */
  security: z
    .object({
      offered: z.array(z.string()),
      vencrypt: z.array(z.string()).optional(),
      chosen: z.string().optional(),
      needs: z.enum(['nothing', 'password', 'username-and-password']),
      /** How the password travels with the chosen type (when one is needed). */
      protection: PasswordProtection.optional(),
      authenticated: z.boolean().optional(),
    })
    .optional(),
});

export const DiagnosticReport = z.object({
  target: z.string(),
  startedAt: z.string(),
  totalMs: z.number().nonnegative(),
  steps: z.array(DiagnosticStep),
  ok: z.boolean(),
  stoppedAt: DiagnosticStepName.optional(),
});
export type DiagnosticReport = z.infer<typeof DiagnosticReport>;
