// missingImports checks a component's imports against the interfaces and versions the host
// provides, so a component that cannot run is refused at start with the names that are missing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostImports, missingImports, splitVersion } from '../../runtime/host/index.ts';
import { unprovided } from '../../runtime/workloads/composition.ts';

describe('splitVersion', () => {
  it('splits a versioned interface into the key and the version', () => {
    assert.deepEqual(splitVersion('wasi:http/types@0.2.0'), { key: 'wasi:http/types', version: '0.2.0' });
  });

  it('keeps pre-release versions whole', () => {
    assert.deepEqual(splitVersion('wasi:logging/logging@0.1.0-draft'), { key: 'wasi:logging/logging', version: '0.1.0-draft' });
  });

  it('gives no version for an unversioned name', () => {
    assert.deepEqual(splitVersion('my-org:kv/store'), { key: 'my-org:kv/store', version: undefined });
  });

  it('gives no version for a plain function name', () => {
    assert.deepEqual(splitVersion('log'), { key: 'log', version: undefined });
  });
});

describe('missingImports', () => {
  it('accepts the WASI 0.2.0 interfaces an HTTP component imports', () => {
    assert.deepEqual(missingImports(['wasi:io/error@0.2.0', 'wasi:io/streams@0.2.0', 'wasi:http/types@0.2.0']), []);
  });

  it('accepts later WASI 0.2 patch versions', () => {
    assert.deepEqual(
      missingImports(['wasi:http/types@0.2.10', 'wasi:io/poll@0.2.3', 'wasi:cli/environment@0.2.6', 'wasi:clocks/monotonic-clock@0.2.2']),
      [],
    );
  });

  it('accepts the rest of what componentize-js components import', () => {
    const imports = [
      'wasi:cli/stdin', 'wasi:cli/stdout', 'wasi:cli/stderr', 'wasi:cli/exit',
      'wasi:cli/terminal-input', 'wasi:cli/terminal-output', 'wasi:cli/terminal-stdin', 'wasi:cli/terminal-stdout', 'wasi:cli/terminal-stderr',
      'wasi:clocks/wall-clock', 'wasi:filesystem/types', 'wasi:filesystem/preopens',
      'wasi:random/random', 'wasi:random/insecure', 'wasi:random/insecure-seed', 'wasi:http/outgoing-handler',
    ].map((name) => `${name}@0.2.3`);
    assert.deepEqual(missingImports(imports), []);
  });

  it('accepts an interface imported without a version', () => {
    assert.deepEqual(missingImports(['wasi:http/types']), []);
  });

  it('refuses WASI 0.3 and names what the studio provides', () => {
    assert.deepEqual(missingImports(['wasi:http/types@0.3.0']), [{ name: 'wasi:http/types@0.3.0', provided: 'wasi:http/types@0.2.0 to 0.2.x' }]);
  });

  it('accepts wasi:logging at 0.1.0-draft, the version wash provides', () => {
    assert.deepEqual(missingImports(['wasi:logging/logging@0.1.0-draft']), []);
  });

  it('refuses wasi:logging at 0.2.0 and names 0.1.0-draft as what it provides', () => {
    assert.deepEqual(missingImports(['wasi:logging/logging@0.2.0']), [
      { name: 'wasi:logging/logging@0.2.0', provided: 'wasi:logging/logging@0.1.0-draft' },
    ]);
  });

  it('accepts wasi:config/store at 0.2.0-rc.1 and 0.2.0-draft, and the older wasi:config/runtime', () => {
    assert.deepEqual(missingImports(['wasi:config/store@0.2.0-rc.1', 'wasi:config/store@0.2.0-draft', 'wasi:config/runtime@0.2.0-draft']), []);
  });

  it('refuses wasi:config/store at a version it does not provide, listing both it does', () => {
    assert.deepEqual(missingImports(['wasi:config/store@0.2.0']), [
      { name: 'wasi:config/store@0.2.0', provided: 'wasi:config/store@0.2.0-rc.1 or 0.2.0-draft' },
    ]);
  });

  it('refuses an unknown interface without claiming to provide anything', () => {
    assert.deepEqual(missingImports(['example:missing/thing@1.2.3']), [{ name: 'example:missing/thing@1.2.3' }]);
  });

  it('accepts both wasi:keyvalue drafts and the blobstore draft wash provides', () => {
    assert.deepEqual(missingImports(['wasi:keyvalue/store@0.2.0-draft', 'wasi:keyvalue/atomics@0.2.0-draft2', 'wasi:blobstore/container@0.2.0-draft']), []);
  });

  it('refuses a wasi:keyvalue version it does not implement, naming the ones it does', () => {
    assert.deepEqual(missingImports(['wasi:keyvalue/store@0.3.0']), [{ name: 'wasi:keyvalue/store@0.3.0', provided: 'wasi:keyvalue/store@0.2.0-draft or 0.2.0-draft2' }]);
  });

  it('refuses a plain function import, which no host interface satisfies', () => {
    assert.deepEqual(missingImports(['log']), [{ name: 'log' }]);
  });

  it('returns only the missing ones, in the order imported', () => {
    const missing = missingImports(['wasi:io/error@0.2.0', 'example:a/b@1.0.0', 'wasi:http/types@0.2.0', 'wasi:logging/logging@0.2.0']);
    assert.deepEqual(missing.map((m) => m.name), ['example:a/b@1.0.0', 'wasi:logging/logging@0.2.0']);
  });
});

describe('hostImports', () => {
  it('gives every interface missingImports accepts an entry in the import object', () => {
    const keys = Object.keys(hostImports({ componentName: 'test', config: new Map(), environment: [], log: () => {}, atRequestEnd: () => {} }));
    for (const key of keys) assert.deepEqual(missingImports([key]), [], key);
    assert.ok(keys.includes('wasi:http/types'));
    assert.ok(keys.includes('wasi:logging/logging'));
  });
});

describe('the missing-imports error', () => {
  const world = (imports: string[]) => ({ imports, exports: ['wasi:http/incoming-handler@0.2.0'], text: '' });
  const errorFor = (imports: string[], bareFile = true) => {
    const result = unprovided([{ name: 'app', world: world(imports) }], bareFile);
    assert.ok(result && !result.ok);
    return result.error;
  };

  it('says to build against the studio\'s version when every missing import is one it has at another version', () => {
    const error = errorFor(['wasi:logging/logging@0.2.0']);
    assert.equal(error.message, 'app imports an interface the studio does not provide:\n  wasi:logging/logging@0.2.0 (the studio provides wasi:logging/logging@0.1.0-draft)');
    assert.match(error.hint ?? '', /^Build against the versions the studio provides: change the version in the component's WIT \(its wit\/deps\) to the one the studio provides, named above, and rebuild\.$/);
  });

  it('gives both fixes when only some are other versions, and calls plain names imports, not interfaces', () => {
    assert.match(errorFor(['wasi:logging/logging@0.2.0', 'example:missing/thing@1.2.3'], false).hint ?? '', /^Where the studio provides another version, change the version .* For the rest: Add the component that exports it to dev\.components/);
    assert.equal(errorFor(['ping']).message, 'app has an import the studio does not provide:\n  ping');
  });
});
