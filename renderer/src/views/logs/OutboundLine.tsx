// One outbound HTTP call in the log (source `outbound`), shown from its record's fields
// rather than its text: the status (or the error code) as a badge, the method and URL, how
// long it took and how much came back, whether a stand-in answered, and the incoming
// request it was made for. The record's text, as the terminal prints it, is the tooltip.
import type { OutboundCallView } from '../../api/types.ts';
import { formatBytes, formatMs } from '../../lib/format.ts';

function toneOf(call: OutboundCallView): 'ok' | 'client' | 'server' | 'muted' {
  if (call.error) return 'server';
  if (call.status === undefined) return 'muted';
  return call.status >= 500 ? 'server' : call.status >= 400 ? 'client' : 'ok';
}

/** The cause of a failure, from the record's text: "… failed with CODE: <cause> for GET /x". */
function causeOf(call: OutboundCallView, text: string): string | undefined {
  if (!call.error) return undefined;
  const at = text.indexOf(`failed with ${call.error}: `);
  if (at < 0) return undefined;
  const cause = text.slice(at + `failed with ${call.error}: `.length);
  return call.cause ? cause.replace(new RegExp(` for ${call.cause.method} \\S+$`), '') : cause;
}

export function OutboundLine({ call, text }: { call: OutboundCallView; text: string }) {
  const cause = causeOf(call, text);
  return (
    <span className="outbound-line" title={text} data-testid="outbound-line">
      <span className={`outbound-status tone-${toneOf(call)}`}>{call.error ?? call.status ?? (call.dropped ? 'dropped' : '—')}</span>
      <span className="outbound-method">{call.method}</span>
      <span className="outbound-url">{call.url}</span>
      {call.standIn && (
        <span className="outbound-tag" title={`Answered by the stand-in "${call.standIn}"${call.forwardedTo ? `, forwarded to ${call.forwardedTo}` : ''}`}>
          {call.forwardedTo ? `stand-in → ${new URL(call.forwardedTo).host}` : 'stand-in'}
        </span>
      )}
      {call.dropped && <span className="outbound-tag">dropped</span>}
      <span className="outbound-meta">
        {formatMs(call.durationMs)}
        {call.status !== undefined && ` · ${formatBytes(call.responseBytes)}`}
        {call.protocol === 'HTTP/2' && ' · h2'}
      </span>
      {cause && <span className="outbound-cause">{cause}</span>}
      {call.cause && (
        <span className="outbound-for" title={`Made while ${call.component} served this request`}>
          ← {call.cause.method} {call.cause.path}
        </span>
      )}
    </span>
  );
}
