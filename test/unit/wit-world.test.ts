// parseWorld reads a component's imports and exports from its world as wasm-tools prints it
// (`wasm-tools component wit`), versions included. The texts below are that tool's output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpHandlerExport, parseWorld, summarizeWorld } from '../../runtime/components/wit-world.ts';

const HTTP_HANDLER = `package root:component;

world root {
  import wasi:io/error@0.2.0;
  import wasi:io/streams@0.2.0;
  import wasi:http/types@0.2.0;

  export wasi:http/incoming-handler@0.2.0;
}
`;

const FUNCTIONS = `package root:component;

world root {
  import log: func(msg: string);

  export add: func(a: u32, b: u32) -> u32;
}
`;

const INLINE_INTERFACES = `package root:component;

world root {
  import foo: interface {
    record point {
      x: u32,
      y: u32,
    }

    hello: func(p: point) -> u32;
  }
  import log: func(msg: string);

  export add: func(a: u32, b: u32) -> u32;
  export bar: interface {
    run: func();
  }
}
`;

describe('parseWorld', () => {
  it('lists interface imports with their versions, in order', () => {
    assert.deepEqual(parseWorld(HTTP_HANDLER).imports, ['wasi:io/error@0.2.0', 'wasi:io/streams@0.2.0', 'wasi:http/types@0.2.0']);
  });

  it('lists interface exports with their versions', () => {
    assert.deepEqual(parseWorld(HTTP_HANDLER).exports, ['wasi:http/incoming-handler@0.2.0']);
  });

  it('keeps the text it was given', () => {
    assert.equal(parseWorld(HTTP_HANDLER).text, HTTP_HANDLER);
  });

  it('lists function imports and exports by their names', () => {
    const world = parseWorld(FUNCTIONS);
    assert.deepEqual(world.imports, ['log']);
    assert.deepEqual(world.exports, ['add']);
  });

  it('lists an inline interface once, by its name, and not the items inside it', () => {
    const world = parseWorld(INLINE_INTERFACES);
    assert.deepEqual(world.imports, ['foo', 'log']);
    assert.deepEqual(world.exports, ['add', 'bar']);
  });

  it('reads interfaces without a version', () => {
    const world = parseWorld('package root:component;\n\nworld root {\n  import my-org:kv/store;\n\n  export my-org:app/run;\n}\n');
    assert.deepEqual(world.imports, ['my-org:kv/store']);
    assert.deepEqual(world.exports, ['my-org:app/run']);
  });

  it('reads pre-release versions whole', () => {
    const world = parseWorld(
      'package root:component;\n\nworld root {\n  import wasi:logging/logging@0.1.0-draft;\n  import wasi:config/store@0.2.0-rc.1;\n}\n',
    );
    assert.deepEqual(world.imports, ['wasi:logging/logging@0.1.0-draft', 'wasi:config/store@0.2.0-rc.1']);
  });

  it('ignores packages printed after the world', () => {
    const text = `${HTTP_HANDLER}
package my-org:extra {
  interface thing {
    import-like: func();
  }
  world other {
    import wasi:cli/environment@0.2.0;
  }
}
`;
    const world = parseWorld(text);
    assert.deepEqual(world.imports, ['wasi:io/error@0.2.0', 'wasi:io/streams@0.2.0', 'wasi:http/types@0.2.0']);
    assert.deepEqual(world.exports, ['wasi:http/incoming-handler@0.2.0']);
  });

  it('finds nothing in an empty world', () => {
    const world = parseWorld('package root:component;\n\nworld root {\n}\n');
    assert.deepEqual(world.imports, []);
    assert.deepEqual(world.exports, []);
  });

  it('finds nothing in text without a world', () => {
    const world = parseWorld('');
    assert.deepEqual(world.imports, []);
    assert.deepEqual(world.exports, []);
  });
});

describe('httpHandlerExport', () => {
  it('finds the wasi:http incoming-handler export with its version', () => {
    assert.equal(httpHandlerExport(parseWorld(HTTP_HANDLER)), 'wasi:http/incoming-handler@0.2.0');
  });

  it('finds it at any 0.2.x version', () => {
    const world = parseWorld('package root:component;\n\nworld root {\n  export wasi:http/incoming-handler@0.2.10;\n}\n');
    assert.equal(httpHandlerExport(world), 'wasi:http/incoming-handler@0.2.10');
  });

  it('is undefined when the component only imports wasi:http', () => {
    const world = parseWorld('package root:component;\n\nworld root {\n  import wasi:http/incoming-handler@0.2.0;\n\n  export add: func(a: u32, b: u32) -> u32;\n}\n');
    assert.equal(httpHandlerExport(world), undefined);
  });

  it('is undefined when the component exports only functions', () => {
    assert.equal(httpHandlerExport(parseWorld(FUNCTIONS)), undefined);
  });
});

describe('summarizeWorld', () => {
  it('names exports, then imports', () => {
    assert.equal(summarizeWorld(parseWorld(FUNCTIONS)), 'exports add; imports log');
  });

  it('says nothing when a side is empty', () => {
    assert.equal(summarizeWorld(parseWorld('package root:component;\n\nworld root {\n}\n')), 'exports nothing; imports nothing');
  });
});
