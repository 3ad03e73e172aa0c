// Which full URLs are the studio's own gateway, so an imported request keeps working when the
// port changes (docs/ui.md: "An address on the gateway becomes a path"). The gateway listens on
// this machine: `localhost`, `127.0.0.1` and `[::1]` on its port are all it, as they are to curl
// and a browser. A `<name>.localhost` address is the gateway too, but it picks the linked
// component by that name, which a path would lose: it stays a full URL.

/** The names of this machine's loopback, as the URL parser writes them (lower case, IPv6 in brackets). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/**
 * The path (with the query and fragment, as written) of `url` when it is an address of the
 * gateway at `gatewayUrl`; undefined for any other address, and for one with a user name or
 * password in it (a path would drop them).
 */
export function gatewayPath(url: string, gatewayUrl: string): string | undefined {
  let target: URL;
  let gateway: URL;
  try {
    target = new URL(url);
    gateway = new URL(gatewayUrl);
  } catch {
    return undefined;
  }
  if (target.protocol !== gateway.protocol || portOf(target) !== portOf(gateway)) return undefined;
  if (target.username || target.password) return undefined;
  const sameHost = target.hostname === gateway.hostname || (LOOPBACK_HOSTS.has(target.hostname) && LOOPBACK_HOSTS.has(gateway.hostname));
  if (!sameHost) return undefined;
  // What follows the authority, as written: the import keeps the user's text, not the parser's re-encoding.
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  return rest.startsWith('/') ? rest : `/${rest}`;
}
