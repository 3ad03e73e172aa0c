// Copy as curl and import from curl for the HTTP playground. The parser splits a command line
// the way a POSIX shell would (quotes, backslashes, line continuations, $'…') and understands
// the options people paste: -X, -H, -d/--data/--data-raw/--data-binary/--data-urlencode,
// --json, -u, -A, -b, -G, -I, --url. Options that only change curl's output are ignored.

export interface CurlRequest {
  method: string;
  url: string;
  headers: [string, string][];
  /** The body as text, when the command has one. */
  body: string | undefined;
  /** Things the import could not carry over, said to the user. */
  warnings: string[];
}

export class CurlParseError extends Error {}

export function shellWords(input: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const s = input.replace(/\\\r?\n/g, ' ');
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new CurlParseError('A single quote is not closed.');
      word += s.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '$' && s[i + 1] === "'") {
      i += 2;
      while (i < s.length && s[i] !== "'") {
        if (s[i] === '\\' && i + 1 < s.length) {
          const n = s[i + 1]!;
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
          word += map[n] ?? n;
          i += 2;
        } else word += s[i++];
      }
      if (i >= s.length) throw new CurlParseError("A $'…' string is not closed.");
      inWord = true;
      i++;
    } else if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`\n'.includes(s[i + 1]!)) {
          word += s[i + 1];
          i += 2;
        } else word += s[i++];
      }
      if (i >= s.length) throw new CurlParseError('A double quote is not closed.');
      inWord = true;
      i++;
    } else if (c === '\\' && i + 1 < s.length) {
      word += s[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const IGNORED_FLAGS = new Set(['-s', '--silent', '-S', '--show-error', '-v', '--verbose', '-i', '--include', '-L', '--location', '-k', '--insecure', '--compressed', '-f', '--fail', '-N', '--no-buffer', '-#', '--progress-bar', '--http1.1', '--http2']);
const IGNORED_WITH_VALUE = new Set(['-o', '--output', '-m', '--max-time', '--connect-timeout', '-w', '--write-out', '--retry', '-x', '--proxy', '--cacert', '--cert', '--key']);

export function parseCurl(command: string): CurlRequest {
  const words = shellWords(command.trim());
  if (words[0] !== 'curl') throw new CurlParseError('That is not a curl command: it should start with "curl".');
  let method: string | undefined;
  let url: string | undefined;
  const headers: [string, string][] = [];
  const data: string[] = [];
  const warnings: string[] = [];
  let getWithData = false;
  let head = false;

  for (let i = 1; i < words.length; i++) {
    let arg = words[i]!;
    let inline: string | undefined;
    // --opt=value and -Xvalue forms
    const eq = /^(--[a-z0-9-]+)=(.*)$/s.exec(arg);
    if (eq) {
      arg = eq[1]!;
      inline = eq[2]!;
    } else if (/^-[XHdAbue][^-]/.test(arg) && arg.length > 2) {
      inline = arg.slice(2);
      arg = arg.slice(0, 2);
    }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = words[++i];
      if (v === undefined) throw new CurlParseError(`${arg} needs a value.`);
      return v;
    };
    switch (arg) {
      case '-X':
      case '--request':
        method = value().toUpperCase();
        break;
      case '-H':
      case '--header': {
        const h = value();
        const colon = h.indexOf(':');
        if (colon <= 0) throw new CurlParseError(`The header "${h}" has no "name: value" form.`);
        headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
        break;
      }
      case '-d':
      case '--data':
      case '--data-ascii':
      case '--data-raw':
      case '--data-binary': {
        const d = value();
        if (d.startsWith('@') && arg !== '--data-raw') warnings.push(`The body comes from a file (${d}); paste the file's content or pick it under Body → File.`);
        data.push(arg === '--data-binary' || arg === '--data-raw' ? d : d.replace(/\r?\n/g, ''));
        break;
      }
      case '--data-urlencode': {
        const d = value();
        const eqAt = d.indexOf('=');
        data.push(eqAt >= 0 ? `${d.slice(0, eqAt + 1)}${encodeURIComponent(d.slice(eqAt + 1))}` : encodeURIComponent(d));
        break;
      }
      case '--json':
        data.push(value());
        if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/json']);
        if (!headers.some(([k]) => k.toLowerCase() === 'accept')) headers.push(['Accept', 'application/json']);
        break;
      case '-u':
      case '--user':
        headers.push(['Authorization', `Basic ${btoa(value())}`]);
        break;
      case '-A':
      case '--user-agent':
        headers.push(['User-Agent', value()]);
        break;
      case '-e':
      case '--referer':
        headers.push(['Referer', value()]);
        break;
      case '-b':
      case '--cookie':
        headers.push(['Cookie', value()]);
        break;
      case '-G':
      case '--get':
        getWithData = true;
        break;
      case '-I':
      case '--head':
        head = true;
        break;
      case '--url':
        url = value();
        break;
      case '-F':
      case '--form':
        value();
        warnings.push('Multipart forms (-F) are not imported; use Body → Form or File.');
        break;
      default:
        if (IGNORED_FLAGS.has(arg)) break;
        if (IGNORED_WITH_VALUE.has(arg)) {
          value();
          break;
        }
        if (arg.startsWith('-') && arg.length > 1) {
          warnings.push(`Ignored the option ${arg}.`);
          break;
        }
        if (url !== undefined) throw new CurlParseError(`Two URLs: "${url}" and "${arg}". The playground sends one request.`);
        url = arg;
    }
  }
  if (url === undefined) throw new CurlParseError('The command has no URL.');
  let body = data.length > 0 ? data.join('&') : undefined;
  if (getWithData && body !== undefined) {
    url += (url.includes('?') ? '&' : '?') + body;
    body = undefined;
  }
  if (body !== undefined && !headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  return { method: method ?? (head ? 'HEAD' : body !== undefined ? 'POST' : 'GET'), url, headers, body, warnings };
}

export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_\-./:=@%+,]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function toCurl(request: { method: string; url: string; headers: [string, string][]; body?: string | undefined; binaryBodyName?: string | undefined }): string {
  const parts = ['curl'];
  const hasBody = request.body !== undefined || request.binaryBodyName !== undefined;
  if (request.method !== (hasBody ? 'POST' : 'GET')) parts.push('-X', request.method);
  parts.push(shellQuote(request.url));
  for (const [k, v] of request.headers) parts.push('-H', shellQuote(`${k}: ${v}`));
  if (request.binaryBodyName !== undefined) parts.push('--data-binary', shellQuote(`@${request.binaryBodyName}`));
  else if (request.body !== undefined) parts.push('--data-raw', shellQuote(request.body));
  return parts.join(' ');
}
