// A workload's port table: binds on loopback and any-address reserve ports inside the
// workload, a second bind of a covered port is address-in-use, a connect to a loopback
// address finds the listener that covers it, and two tables never see each other.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalIp, compressIpv6, type SocketAddress } from '../../runtime/network/ip-address.ts';
import { VirtualLoopback } from '../../runtime/network/virtual-loopback.ts';

const v4 = (address: string, port: number): SocketAddress => ({ family: 'ipv4', address, port });
const v6 = (address: string, port: number): SocketAddress => ({ family: 'ipv6', address: canonicalIp(address)!, port });

function listening(table: VirtualLoopback<string>, local: SocketAddress, owner: string) {
  const bound = table.bind(local, owner);
  assert.ok(bound.ok, `bind ${owner}`);
  bound.value.listening = true;
  return bound.value;
}

describe('binding', () => {
  it('reserves a loopback port and refuses the same port again with address-in-use, naming the holder', () => {
    const table = new VirtualLoopback<string>();
    assert.ok(table.bind(v4('127.0.0.1', 80), 'service').ok);
    assert.deepEqual(table.bind(v4('127.0.0.1', 80), 'other'), { ok: false, error: { code: 'address-in-use', holder: 'service' } });
  });

  it('treats 0.0.0.0 as covering every IPv4 loopback address of the port, both ways', () => {
    const table = new VirtualLoopback<string>();
    assert.ok(table.bind(v4('0.0.0.0', 80), 'any').ok);
    assert.equal(table.bind(v4('127.0.0.1', 80), 'one').ok, false);
    const other = new VirtualLoopback<string>();
    assert.ok(other.bind(v4('127.0.0.1', 80), 'one').ok);
    assert.equal(other.bind(v4('0.0.0.0', 80), 'any').ok, false);
  });

  it('keeps IPv4 and IPv6 apart (WASI IPv6 sockets are IPv6-only)', () => {
    const table = new VirtualLoopback<string>();
    assert.ok(table.bind(v4('0.0.0.0', 80), 'v4').ok);
    assert.ok(table.bind(v6('::', 80), 'v6').ok);
  });

  it('lets two addresses of 127.0.0.0/8 hold the same port', () => {
    const table = new VirtualLoopback<string>();
    assert.ok(table.bind(v4('127.0.0.1', 80), 'a').ok);
    assert.ok(table.bind(v4('127.0.0.2', 80), 'b').ok);
  });

  it('refuses addresses the loopback does not have with address-not-bindable', () => {
    const table = new VirtualLoopback<string>();
    assert.deepEqual(table.bind(v4('192.168.1.10', 80), 'x'), { ok: false, error: { code: 'address-not-bindable' } });
    assert.deepEqual(table.bind(v6('fe80::1', 80), 'x'), { ok: false, error: { code: 'address-not-bindable' } });
  });

  it('gives port 0 a free ephemeral port, different each time', () => {
    const table = new VirtualLoopback<string>();
    const a = table.bind(v4('127.0.0.1', 0), 'a');
    const b = table.bind(v4('127.0.0.1', 0), 'b');
    assert.ok(a.ok && b.ok);
    assert.ok(a.value.local.port >= 49152 && b.value.local.port >= 49152);
    assert.notEqual(a.value.local.port, b.value.local.port);
  });

  it('frees the port on unbind', () => {
    const table = new VirtualLoopback<string>();
    const first = table.bind(v4('127.0.0.1', 80), 'first');
    assert.ok(first.ok);
    table.unbind(first.value);
    assert.ok(table.bind(v4('127.0.0.1', 80), 'second').ok);
  });
});

describe('finding the listener of a connect', () => {
  it('reaches a listener on the exact address, or on any-address of the family', () => {
    const table = new VirtualLoopback<string>();
    listening(table, v4('127.0.0.1', 80), 'exact');
    listening(table, v4('0.0.0.0', 81), 'any');
    listening(table, v6('::1', 82), 'v6');
    assert.equal(table.listenerFor(v4('127.0.0.1', 80))?.owner, 'exact');
    assert.equal(table.listenerFor(v4('127.0.0.1', 81))?.owner, 'any');
    assert.equal(table.listenerFor(v6('::1', 82))?.owner, 'v6');
  });

  it('finds nothing on another port, another family, a bound socket that does not listen, or a non-loopback address', () => {
    const table = new VirtualLoopback<string>();
    listening(table, v4('0.0.0.0', 80), 'web');
    assert.ok(table.bind(v4('127.0.0.1', 90), 'bound only').ok);
    assert.equal(table.listenerFor(v4('127.0.0.1', 81)), undefined);
    assert.equal(table.listenerFor(v6('::1', 80)), undefined);
    assert.equal(table.listenerFor(v4('127.0.0.1', 90)), undefined);
    assert.equal(table.listenerFor(v4('10.0.0.1', 80)), undefined);
  });

  it('keeps two workloads apart: both listen on port 80, each finds its own', () => {
    const first = new VirtualLoopback<string>();
    const second = new VirtualLoopback<string>();
    listening(first, v4('127.0.0.1', 80), 'first service');
    listening(second, v4('127.0.0.1', 80), 'second service');
    assert.equal(first.listenerFor(v4('127.0.0.1', 80))?.owner, 'first service');
    assert.equal(second.listenerFor(v4('127.0.0.1', 80))?.owner, 'second service');
  });
});

describe('IP address text', () => {
  it('canonicalizes IPv6 in every spelling and compresses it for people', () => {
    assert.equal(canonicalIp('::1'), '0:0:0:0:0:0:0:1');
    assert.equal(canonicalIp('0:0::0:1'), '0:0:0:0:0:0:0:1');
    assert.equal(canonicalIp('::ffff:127.0.0.1'), '0:0:0:0:0:ffff:7f00:1');
    assert.equal(canonicalIp('fe80::1%eth0'), 'fe80:0:0:0:0:0:0:1');
    assert.equal(compressIpv6('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(compressIpv6('fe80:0:0:0:1:0:0:1'), 'fe80::1:0:0:1');
  });

  it('refuses text that is no address', () => {
    for (const text of ['', 'localhost', '1.2.3', '256.1.1.1', '1::2::3', '12345::1', '1:2:3:4:5:6:7:8:9']) assert.equal(canonicalIp(text), undefined, text);
  });
});
