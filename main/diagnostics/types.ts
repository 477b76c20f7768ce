// The diagnostics types are the contract's (app/diagnostics.ts); this module only names them for main.
import { z } from 'zod';
import { DiagnosticStep as DiagnosticStepSchema, DiagnosticStepName as DiagnosticStepNameSchema } from '../../app/diagnostics.js';

export type { CertificateInfo, DiagnosticReport } from '../../app/diagnostics.js';
export const diagnosticStepNames = DiagnosticStepNameSchema.options;
export type DiagnosticStepName = z.infer<typeof DiagnosticStepNameSchema>;
export type DiagnosticStep = z.infer<typeof DiagnosticStepSchema>;
export type DiagnosticStepStatus = DiagnosticStep['status'];
