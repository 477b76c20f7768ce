// The contract's diagnostics.* calls: Test connection and the certificate a TLS console presents.
import { PortholeError } from '../../app/errors.js';
import { inspectCertificate } from '../diagnostics/certificate.js';
import { formatReport } from '../diagnostics/format-report.js';
import { runDiagnostics } from '../diagnostics/run-diagnostics.js';
import type { HandlersFor } from './handler-types.js';
import type { SourceResolver } from './source-resolver.js';

export function createDiagnosticsHandlers(sources: SourceResolver): HandlersFor<'diagnostics.run' | 'diagnostics.certificate'> {
  return {
    'diagnostics.run': async ({ source }) => {
      const { target, tls, originOverride, headers } = await sources.reachable(await sources.resolve(source));
      const report = await runDiagnostics(target, { tls, ...(originOverride ? { originOverride } : {}), ...(headers ? { headers } : {}) });
      return { report, text: formatReport(report) };
    },

    'diagnostics.certificate': async ({ source }) => {
      const { target, tls } = await sources.reachable(await sources.resolve(source));
      const secure = target.kind === 'websocket' ? target.secure : target.tls;
      if (!secure) throw new PortholeError('url-unsupported', 'this console does not use TLS, so it has no certificate');
      return inspectCertificate(target.host, target.port, undefined, {
        ...(tls.caPem ? { caPem: tls.caPem } : {}),
        ...(tls.pinSha256 ? { pinSha256: tls.pinSha256 } : {}),
      });
    },
  };
}
