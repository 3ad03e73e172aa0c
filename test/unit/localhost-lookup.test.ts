// Names under .localhost are the loopback for outbound calls (RFC 6761), both of its
// addresses, IPv4 first (the gateway's); plain localhost and other names go to the system.
import assert from 'node:assert/strict';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { it } from 'node:test';
import { isLocalhostName, localhostLookup } from '../../runtime/network/localhost-lookup.ts';

function lookup(hostname: string, options: LookupOptions): Promise<{ address: string | LookupAddress[]; family?: number }> {
  return new Promise((resolve, reject) => localhostLookup(hostname, options, (error, address, family) => (error ? reject(error) : resolve({ address, ...(family !== undefined ? { family } : {}) }))));
}

it('answers both loopback addresses for a name under .localhost, IPv4 first, or the family asked for', async () => {
  assert.deepEqual(await lookup('api.localhost', { all: true }), { address: [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }] });
  assert.deepEqual(await lookup('API.Localhost.', {}), { address: '127.0.0.1', family: 4 });
  assert.deepEqual(await lookup('api.localhost', { family: 6 }), { address: '::1', family: 6 });
});

it('leaves plain localhost and other names to the system resolver', async () => {
  assert.equal(isLocalhostName('localhost'), true);
  const { address } = await lookup('localhost', { all: true });
  assert.ok(Array.isArray(address) && address.every((a) => a.address === '127.0.0.1' || a.address === '::1'), JSON.stringify(address));
  await assert.rejects(lookup('no-such-host.invalid', {}));
  assert.equal(isLocalhostName('localhost.example.com'), false);
});
