// Copy as curl and import from curl for the HTTP playground. The import takes what people
// paste: a browser's "Copy as cURL" (Chromium and Firefox, bash or Windows cmd), examples from
// API docs, or a line from a terminal's history with `| jq .` after it. The words come from
// shell-words.ts; this module knows curl's options. What it cannot carry over (a body read
// from a file, a multipart form, a $VARIABLE) is imported as far as it goes and said in a
// warning, never silently dropped.
import { textToBase64 } from './bytes.ts';
import { parseCommandLine, ShellSyntaxError, type ShellCommand } from './shell-words.ts';

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

/** Short options that take a value (the rest of the word, or the next word). */
const SHORT_WITH_VALUE = new Set('AbcCdDeEFHKmoPQrtTuUwxXyYz');
/** Long options that take a value and only change what curl does locally (output, timeouts, TLS files…). */
const IGNORED_WITH_VALUE = new Set([
  '--output', '--max-time', '--connect-timeout', '--write-out', '--retry', '--retry-delay', '--retry-max-time', '--proxy', '--proxy-user',
  '--cacert', '--capath', '--cert', '--cert-type', '--key', '--key-type', '--pass', '--resolve', '--connect-to', '--limit-rate', '--interface',
  '--dump-header', '--cookie-jar', '--config', '--range', '--continue-at', '--max-redirs', '--max-filesize', '--speed-limit', '--speed-time',
  '--local-port', '--dns-servers', '--trace', '--trace-ascii', '--stderr', '--output-dir', '--ciphers', '--tls-max', '--keepalive-time',
  '--expect100-timeout', '--happy-eyeballs-timeout-ms', '--unix-socket', '--abstract-unix-socket', '--noproxy', '--proto', '--proto-redir',
  '--ftp-port', '--quote', '--telnet-option', '--time-cond',
]);
/** Long options without a value that change nothing the playground sends. */
const IGNORED_FLAGS = new Set([
  '--silent', '--show-error', '--verbose', '--include', '--location', '--location-trusted', '--insecure', '--compressed', '--fail', '--fail-with-body',
  '--no-buffer', '--progress-bar', '--http1.0', '--http1.1', '--http2', '--http2-prior-knowledge', '--http3', '--ipv4', '--ipv6', '--globoff',
  '--no-keepalive', '--tcp-nodelay', '--path-as-is', '--raw', '--remote-name', '--remote-header-name', '--no-progress-meter', '--basic',
  '--tlsv1.2', '--tlsv1.3', '--ssl-no-revoke', '--no-alpn', '--no-npn', '--no-sessionid', '--disable', '--remote-time', '--styled-output', '--next',
]);
/** The long name of each short option, so both spellings go through one switch. */
const SHORT_NAMES: Record<string, string> = {
  X: '--request', H: '--header', d: '--data', u: '--user', A: '--user-agent', e: '--referer', b: '--cookie', G: '--get', I: '--head', F: '--form', T: '--upload-file',
  s: '--silent', S: '--show-error', v: '--verbose', i: '--include', L: '--location', k: '--insecure', f: '--fail', N: '--no-buffer', '#': '--progress-bar',
  '0': '--http1.0', '4': '--ipv4', '6': '--ipv6', g: '--globoff', O: '--remote-name', J: '--remote-header-name', R: '--remote-time', q: '--disable', ':': '--next',
  o: '--output', m: '--max-time', w: '--write-out', x: '--proxy', U: '--proxy-user', E: '--cert', D: '--dump-header', c: '--cookie-jar', K: '--config',
  r: '--range', C: '--continue-at', y: '--speed-time', Y: '--speed-limit', P: '--ftp-port', Q: '--quote', t: '--telnet-option', z: '--time-cond',
};
/** Long options that take a value and change the request in ways the import does not carry over. */
const UNSUPPORTED_WITH_VALUE = new Set(['--aws-sigv4', '--proxy-header', '--request-target', '--variable', '--form-escape', '--netrc-file', '--delegation', '--sasl-authzid', '--login-options']);
const WITH_VALUE = new Set([
  '--request', '--header', '--data', '--data-ascii', '--data-raw', '--data-binary', '--data-urlencode', '--json', '--user', '--user-agent',
  '--referer', '--cookie', '--url', '--url-query', '--form', '--form-string', '--upload-file', '--oauth2-bearer', ...IGNORED_WITH_VALUE, ...UNSUPPORTED_WITH_VALUE,
]);

/** One option with its value, as curl reads a command's words. */
interface CurlOption {
  name: string;
  /** As written, for messages. */
  written: string;
  value?: string;
}

/** Reads options and URLs: short options may be grouped (-sSL) and take their value attached (-XPOST). */
function curlOptions(words: string[]): { options: CurlOption[]; urls: string[] } {
  const options: CurlOption[] = [];
  const urls: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = (written: string): string => {
      const value = words[++i];
      if (value === undefined) throw new CurlParseError(`${written} needs a value after it.`);
      return value;
    };
    if (word.startsWith('--') && word.length > 2) {
      // curl itself takes no --name=value, but people write it; accept it for known options.
      const eq = /^(--[a-z0-9.-]+)=(.*)$/s.exec(word);
      if (eq && WITH_VALUE.has(eq[1]!)) options.push({ name: eq[1]!, written: eq[1]!, value: eq[2]! });
      else if (WITH_VALUE.has(word)) options.push({ name: word, written: word, value: next(word) });
      else options.push({ name: word, written: word });
    } else if (word.startsWith('-') && word.length > 1) {
      for (let at = 1; at < word.length; at++) {
        const letter = word[at]!;
        const name = SHORT_NAMES[letter] ?? `-${letter}`;
        const written = `-${letter}`;
        if (!SHORT_WITH_VALUE.has(letter)) {
          options.push({ name, written });
          continue;
        }
        const attached = word.slice(at + 1);
        options.push({ name, written, value: attached !== '' ? attached : next(written) });
        break;
      }
    } else urls.push(word);
  }
  return { options, urls };
}

/** curl's --data-urlencode: every byte but the unreserved ones, as %XX. */
function urlEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** --data-urlencode and --url-query content: `content`, `=content` or `name=content`, the content encoded. */
function urlEncodedPair(value: string): string {
  const eq = value.indexOf('=');
  return eq < 0 ? urlEncode(value) : eq === 0 ? urlEncode(value.slice(1)) : `${value.slice(0, eq)}=${urlEncode(value.slice(eq + 1))}`;
}

/** The command to import: the first that runs curl (after a `$ ` prompt), with lines that only continue it. */
function curlCommand(commands: ShellCommand[]): { words: string[]; cutAtAmpersand: boolean } {
  const isCurl = (word: string | undefined) => word !== undefined && /(^|[\\/])curl(\.exe)?$/i.test(word);
  const start = commands.findIndex((command) => isCurl(command.words[0]) || (command.words[0] === '$' && isCurl(command.words[1])));
  if (start < 0) throw new CurlParseError('That is not a curl command: it should start with "curl".');
  let command = commands[start]!;
  const words = command.words.slice(command.words[0] === '$' ? 2 : 1);
  // Options on the following lines with their trailing backslashes lost still belong to it.
  for (let next = start + 1; command.endedBy === '\n' && commands[next]?.words[0]?.startsWith('-'); next++) {
    command = commands[next]!;
    words.push(...command.words);
  }
  return { words, cutAtAmpersand: command.endedBy === '&' };
}

export function parseCurl(text: string): CurlRequest {
  let parsed;
  try {
    parsed = parseCommandLine(text.trim());
  } catch (err) {
    if (err instanceof ShellSyntaxError) throw new CurlParseError(`${err.message} Paste the whole command.`);
    throw err;
  }
  const { words, cutAtAmpersand } = curlCommand(parsed.commands);
  const { options, urls } = curlOptions(words);
  let method: string | undefined;
  const headers: [string, string][] = [];
  const data: { text: string; json: boolean }[] = [];
  const warnings: string[] = [];
  let getWithData = false;
  let head = false;
  let upload = false;
  let form = false;
  const query: string[] = [];
  const hasHeader = (name: string) => headers.some(([k]) => k.toLowerCase() === name.toLowerCase());
  const fromFile = (what: string, value: string) =>
    warnings.push(`${what} comes from a file (${value}), which the playground cannot read: paste the file's content, or pick the file under Body → File.`);

  for (const { name, written, value = '' } of options) {
    switch (name) {
      case '--request':
        method = value.toUpperCase();
        break;
      case '--header': {
        if (value.startsWith('@')) {
          fromFile('A header list', value);
          break;
        }
        const colon = value.indexOf(':');
        // `Name;` is curl's way to send a header with an empty value.
        if (colon < 0 && /^[^\s;]+;$/.test(value)) headers.push([value.slice(0, -1), '']);
        else if (colon <= 0) throw new CurlParseError(`The header "${value}" is not in the "Name: value" form.`);
        else headers.push([value.slice(0, colon).trim(), value.slice(colon + 1).trim()]);
        break;
      }
      case '--data':
      case '--data-ascii':
      case '--data-binary':
      case '--data-raw':
        if (value.startsWith('@') && name !== '--data-raw') fromFile('The body', value);
        data.push({ text: value, json: false });
        break;
      case '--data-urlencode': {
        // content, =content, name=content; name@file and @file read a file.
        const file = /^([^=]*)@(.*)$/s.exec(value);
        if (file && !value.includes('=')) {
          fromFile('A --data-urlencode value', value);
          data.push({ text: value, json: false });
          break;
        }
        data.push({ text: urlEncodedPair(value), json: false });
        break;
      }
      case '--json':
        if (value.startsWith('@')) fromFile('The body', value);
        data.push({ text: value, json: true });
        if (!hasHeader('content-type')) headers.push(['Content-Type', 'application/json']);
        if (!hasHeader('accept')) headers.push(['Accept', 'application/json']);
        break;
      case '--user': {
        // No password: curl would ask for one in the terminal.
        if (!value.includes(':')) warnings.push(`curl would ask for ${value}'s password: add it after a colon in the Authorization header (user:password, in base64).`);
        headers.push(['Authorization', `Basic ${textToBase64(value.includes(':') ? value : `${value}:`)}`]);
        break;
      }
      case '--oauth2-bearer':
        headers.push(['Authorization', `Bearer ${value}`]);
        break;
      case '--user-agent':
        headers.push(['User-Agent', value]);
        break;
      case '--referer':
        headers.push(['Referer', value.replace(/;auto$/, '')]);
        break;
      case '--cookie':
        // Without a `=`, it names a cookie file.
        if (value.includes('=')) headers.push(['Cookie', value]);
        else fromFile('The cookies', value);
        break;
      case '--get':
        getWithData = true;
        break;
      case '--head':
        head = true;
        break;
      case '--url':
        urls.push(value);
        break;
      case '--url-query':
        // A leading + means: already encoded.
        query.push(value.startsWith('+') ? value.slice(1) : urlEncodedPair(value));
        break;
      case '--upload-file':
        upload = true;
        fromFile('The body', value);
        break;
      case '--form':
      case '--form-string':
        form = true;
        warnings.push(`Multipart form fields (${written} ${value}) are not imported: the playground sends url-encoded forms (Body → Form) or a file (Body → File).`);
        break;
      case '--digest':
      case '--ntlm':
      case '--negotiate':
      case '--anyauth':
        warnings.push(`${written} authentication is not imported; the playground sends what -u gives as Basic authentication.`);
        break;
      default:
        if (IGNORED_FLAGS.has(name) || IGNORED_WITH_VALUE.has(name)) break;
        if (UNSUPPORTED_WITH_VALUE.has(name)) {
          warnings.push(`${written} ${value} is not imported: the playground sends the request without it.`);
          break;
        }
        warnings.push(`Ignored the option ${written}.`);
    }
  }
  if (urls.length === 0) throw new CurlParseError('The command has no URL.');
  if (urls.length > 1) throw new CurlParseError(`The command has ${urls.length} URLs (${urls.join(', ')}); the playground sends one request.`);
  // Like curl, an address without a scheme is http. Browsers write [ ] { } in URLs as \[ \]
  // \{ \}, which curl reads as the characters themselves rather than a range to expand.
  const written = urls[0]!.replace(/\\([[\]{}])/g, '$1');
  let url = /^[a-z][a-z0-9+.-]*:\/\//i.test(written) ? written : `http://${written}`;
  if (cutAtAmpersand) warnings.push('A shell ends the command at an unquoted &, so the URL was cut there: put the URL in quotes to keep the rest of it.');
  for (const variable of parsed.variables) warnings.push(`${variable} is a shell variable: it was kept as written; replace it with its value.`);

  if (query.length > 0) url += (url.includes('?') ? '&' : '?') + query.join('&');
  let body: string | undefined;
  for (const [index, piece] of data.entries()) {
    // -d pieces join with &, like a form; --json pieces join as they are.
    body = index === 0 ? piece.text : `${body}${piece.json && data[index - 1]!.json ? '' : '&'}${piece.text}`;
  }
  if (getWithData && body !== undefined) {
    url += (url.includes('?') ? '&' : '?') + body;
    body = undefined;
  }
  if (body !== undefined && !hasHeader('content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
  const defaultMethod = head ? 'HEAD' : upload ? 'PUT' : body !== undefined || form ? 'POST' : 'GET';
  return { method: method ?? defaultMethod, url, headers, body, warnings };
}

/** A word for a POSIX shell: as it is when nothing in it is special, else in single quotes. */
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
