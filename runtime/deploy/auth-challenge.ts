// The `WWW-Authenticate` challenge a registry answers a 401 with (RFC 9110 §11.6.1), e.g.
// `Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull,push"`
// or `Basic realm="registry"`. Parsing only: registry-session.ts decides what to send back.
import { TOKEN_CHARS } from '../http-token.ts';

export interface AuthChallenge {
  /** Lowercased: `basic`, `bearer`, or whatever else the server named. */
  scheme: string;
  /** Parameter names lowercased; values unquoted. */
  params: Record<string, string>;
}

const TOKEN = new RegExp(`^${TOKEN_CHARS}+`);

/** Every challenge in the header values (one header may hold several, separated by commas). */
export function parseAuthChallenges(values: readonly string[]): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  for (const value of values) {
    let rest = value;
    let current: AuthChallenge | undefined;
    for (;;) {
      rest = rest.replace(/^[\s,]+/, '');
      if (!rest) break;
      const name = TOKEN.exec(rest)?.[0];
      if (!name) break; // Not a header we can read further; keep what was read.
      const after = rest.slice(name.length);
      const param = /^\s*=\s*/.exec(after);
      if (param && current) {
        // name=value: a parameter of the current challenge.
        rest = after.slice(param[0].length);
        let parsed: string;
        if (rest.startsWith('"')) {
          const quoted = readQuoted(rest);
          parsed = quoted.value;
          rest = rest.slice(quoted.length);
        } else {
          // A token by the RFC; servers that leave a URL unquoted get it whole too.
          parsed = /^[^\s,]*/.exec(rest)?.[0] ?? '';
          rest = rest.slice(parsed.length);
        }
        current.params[name.toLowerCase()] = parsed;
      } else {
        // A new scheme; a token68 after it (`Negotiate abc==`) is not something a registry sends.
        current = { scheme: name.toLowerCase(), params: {} };
        challenges.push(current);
        rest = after;
      }
    }
  }
  return challenges;
}

/** A quoted-string from its opening quote: the value without escapes, and how many characters it took. */
function readQuoted(text: string): { value: string; length: number } {
  let value = '';
  let i = 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      value += text[i + 1];
      i += 2;
    } else if (ch === '"') {
      return { value, length: i + 1 };
    } else {
      value += ch;
      i += 1;
    }
  }
  return { value, length: text.length };
}
