// Import from curl (the HTTP playground) against what people paste: browsers' "Copy as cURL"
// (Chromium and Firefox on Linux and macOS, Safari, Chromium's Windows cmd flavour) and
// examples from API docs. Each row is a command as written, and the request it must become.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CurlParseError, parseCurl, toCurl, type CurlRequest } from '../../renderer/src/lib/curl.ts';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

interface Row {
  name: string;
  command: string;
  expected: Partial<Omit<CurlRequest, 'warnings'>> & { warnings?: RegExp[] };
}

const CHROMIUM_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

const ROWS: Row[] = [
  {
    name: 'Chromium on Linux, the QR example UI posting JSON',
    command: `curl 'http://127.0.0.1:8000/qrcode' \\
  -H 'Accept: */*' \\
  -H 'Accept-Language: en-US,en;q=0.9' \\
  -H 'Connection: keep-alive' \\
  -H 'Content-Type: application/json' \\
  -H 'Origin: http://127.0.0.1:8000' \\
  -H 'Referer: http://127.0.0.1:8000/' \\
  -H 'Sec-Fetch-Dest: empty' \\
  -H 'Sec-Fetch-Mode: cors' \\
  -H 'Sec-Fetch-Site: same-origin' \\
  -H 'User-Agent: ${CHROMIUM_UA}' \\
  -H 'sec-ch-ua: "Chromium";v="131", "Not_A Brand";v="24"' \\
  -H 'sec-ch-ua-mobile: ?0' \\
  -H 'sec-ch-ua-platform: "Linux"' \\
  --data-raw '{"payload":"https://wasmcloud.com"}' \\
  --compressed`,
    expected: {
      method: 'POST',
      url: 'http://127.0.0.1:8000/qrcode',
      headers: [
        ['Accept', '*/*'],
        ['Accept-Language', 'en-US,en;q=0.9'],
        ['Connection', 'keep-alive'],
        ['Content-Type', 'application/json'],
        ['Origin', 'http://127.0.0.1:8000'],
        ['Referer', 'http://127.0.0.1:8000/'],
        ['Sec-Fetch-Dest', 'empty'],
        ['Sec-Fetch-Mode', 'cors'],
        ['Sec-Fetch-Site', 'same-origin'],
        ['User-Agent', CHROMIUM_UA],
        ['sec-ch-ua', '"Chromium";v="131", "Not_A Brand";v="24"'],
        ['sec-ch-ua-mobile', '?0'],
        ['sec-ch-ua-platform', '"Linux"'],
      ],
      body: '{"payload":"https://wasmcloud.com"}',
      warnings: [],
    },
  },
  {
    name: "Chromium, a body with a quote, a ! and a line break ($'…' with \\u escapes)",
    command: `curl 'http://127.0.0.1:8000/notes' \\
  -H 'Content-Type: text/plain;charset=UTF-8' \\
  --data-raw $'it\\'s here\\u0021\\nnext line, café'`,
    expected: { method: 'POST', body: "it's here!\nnext line, café", headers: [['Content-Type', 'text/plain;charset=UTF-8']] },
  },
  {
    name: 'Chromium, a GET with cookies (-b) and brackets in the query (escaped for curl)',
    command: `curl 'http://127.0.0.1:8000/search?tags\\[\\]=a&tags\\[\\]=b' \\
  -H 'Accept: application/json' \\
  -b 'session=abc123; theme=dark' \\
  --compressed`,
    expected: {
      method: 'GET',
      url: 'http://127.0.0.1:8000/search?tags[]=a&tags[]=b',
      headers: [
        ['Accept', 'application/json'],
        ['Cookie', 'session=abc123; theme=dark'],
      ],
      body: undefined,
      warnings: [],
    },
  },
  {
    name: "Chromium, a PUT (-X 'PUT') with an empty header (Name;)",
    command: `curl 'http://127.0.0.1:8000/items/1' \\
  -X 'PUT' \\
  -H 'Content-Type: application/json' \\
  -H 'X-Empty;' \\
  --data-raw '{"name":"first"}'`,
    expected: { method: 'PUT', headers: [['Content-Type', 'application/json'], ['X-Empty', '']], body: '{"name":"first"}' },
  },
  {
    name: 'Chromium on Windows, Copy as cURL (cmd): ^ escapes and ^ line continuations',
    command: [
      'curl ^"http://127.0.0.1:8000/qrcode^" ^',
      '  -H ^"Accept: */*^" ^',
      '  -H ^"Content-Type: application/json^" ^',
      '  -H ^"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36^" ^',
      '  --data-raw ^"^{^\\^"payload^\\^":^\\^"a ^& b, 100^%^\\^"^}^" ^',
      '  --compressed',
    ].join('\r\n'),
    expected: {
      method: 'POST',
      url: 'http://127.0.0.1:8000/qrcode',
      headers: [
        ['Accept', '*/*'],
        ['Content-Type', 'application/json'],
        ['User-Agent', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
      ],
      body: '{"payload":"a & b, 100%"}',
      warnings: [],
    },
  },
  {
    name: 'Chromium on Windows (cmd), a body with a line break (^ and two line breaks) and quotes',
    command: ['curl ^"http://127.0.0.1:8000/notes^" ^', '  --data-raw ^"line one^', '', 'line ^\\^"two^\\^"^"'].join('\n'),
    expected: { body: 'line one\nline "two"' },
  },
  {
    name: 'Firefox on Linux, one line, with its own --compressed and Accept-Encoding',
    command: `curl 'http://127.0.0.1:8000/qrcode' --compressed -X POST -H 'User-Agent: ${FIREFOX_UA}' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'Content-Type: application/json' -H 'Origin: http://127.0.0.1:8000' -H 'Connection: keep-alive' -H 'Referer: http://127.0.0.1:8000/' -H 'Sec-Fetch-Dest: empty' -H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: same-origin' -H 'Priority: u=0' --data-raw '{"payload":"hello"}'`,
    expected: {
      method: 'POST',
      url: 'http://127.0.0.1:8000/qrcode',
      headers: [
        ['User-Agent', FIREFOX_UA],
        ['Accept', '*/*'],
        ['Accept-Language', 'en-US,en;q=0.5'],
        ['Accept-Encoding', 'gzip, deflate, br, zstd'],
        ['Content-Type', 'application/json'],
        ['Origin', 'http://127.0.0.1:8000'],
        ['Connection', 'keep-alive'],
        ['Referer', 'http://127.0.0.1:8000/'],
        ['Sec-Fetch-Dest', 'empty'],
        ['Sec-Fetch-Mode', 'cors'],
        ['Sec-Fetch-Site', 'same-origin'],
        ['Priority', 'u=0'],
      ],
      body: '{"payload":"hello"}',
      warnings: [],
    },
  },
  {
    name: 'Firefox, non-ASCII in $\'…\' as \\xHH (Latin-1) and \\uHHHH',
    command: `curl 'http://127.0.0.1:8000/qrcode' -X POST -H 'Content-Type: application/json' --data-raw $'{"payload":"caf\\xe9 \\u263a"}'`,
    expected: { body: '{"payload":"café ☺"}' },
  },
  {
    name: 'Safari on macOS: --data-binary, ! as an octal escape',
    command: `curl 'http://127.0.0.1:8000/qrcode' \\
-X 'POST' \\
-H 'Content-Type: application/json' \\
-H 'Accept: */*' \\
--data-binary $'{"payload":"hi\\041"}'`,
    expected: { method: 'POST', body: '{"payload":"hi!"}' },
  },
  {
    name: "GitHub's REST docs: -L, double quotes, '\\'' inside single quotes, the URL among the options",
    command: `curl -L \\
  -X POST \\
  -H "Accept: application/vnd.github+json" \\
  -H "Authorization: Bearer <YOUR-TOKEN>" \\
  -H "X-GitHub-Api-Version: 2022-11-28" \\
  https://api.github.com/repos/OWNER/REPO/issues \\
  -d '{"title":"Found a bug","body":"I'\\''m having a problem with this.","labels":["bug"]}'`,
    expected: {
      method: 'POST',
      url: 'https://api.github.com/repos/OWNER/REPO/issues',
      headers: [
        ['Accept', 'application/vnd.github+json'],
        ['Authorization', 'Bearer <YOUR-TOKEN>'],
        ['X-GitHub-Api-Version', '2022-11-28'],
        ['Content-Type', 'application/x-www-form-urlencoded'],
      ],
      body: '{"title":"Found a bug","body":"I\'m having a problem with this.","labels":["bug"]}',
      warnings: [],
    },
  },
  {
    name: "Stripe's docs: -u key: (no password), several -d joined with &, --data-urlencode",
    command: `curl https://api.stripe.com/v1/customers \\
  -u "sk_test_4eC39HqLyjWDarjtT1zdp7dc:" \\
  -d name="Jenny Rosen" \\
  --data-urlencode email="jenny+test@example.com" \\
  -d "metadata[order_id]=6735"`,
    expected: {
      method: 'POST',
      url: 'https://api.stripe.com/v1/customers',
      headers: [
        ['Authorization', basic('sk_test_4eC39HqLyjWDarjtT1zdp7dc:')],
        ['Content-Type', 'application/x-www-form-urlencoded'],
      ],
      body: 'name=Jenny Rosen&email=jenny%2Btest%40example.com&metadata[order_id]=6735',
      warnings: [],
    },
  },
  {
    name: "OpenAI's docs: a $VARIABLE in a header, a JSON body over several lines",
    command: `curl https://api.openai.com/v1/chat/completions \\
  -H "Content-Type: application/json" \\
  -H "Authorization: Bearer $OPENAI_API_KEY" \\
  -d '{
    "model": "gpt-4o",
    "messages": [{"role": "user", "content": "Hello!"}]
  }'`,
    expected: {
      method: 'POST',
      headers: [
        ['Content-Type', 'application/json'],
        ['Authorization', 'Bearer $OPENAI_API_KEY'],
      ],
      body: '{\n    "model": "gpt-4o",\n    "messages": [{"role": "user", "content": "Hello!"}]\n  }',
      warnings: [/\$OPENAI_API_KEY is a shell variable/],
    },
  },
  {
    name: '-u with a non-ASCII password (sent as UTF-8, as curl does)',
    command: 'curl -u user:pässword https://example.com/private',
    expected: { method: 'GET', headers: [['Authorization', basic('user:pässword')]], warnings: [] },
  },
  {
    name: "$'…' escapes: \\x41, octal, \\t, \\e and an unknown escape kept",
    command: `curl -H $'X-Letter: \\x41\\102' -H $'X-Tab: a\\tb' -H $'X-Esc: \\e[1m' -H $'X-Other: \\q' http://127.0.0.1:8000/`,
    expected: {
      headers: [
        ['X-Letter', 'AB'],
        ['X-Tab', 'a\tb'],
        ['X-Esc', '\x1b[1m'],
        ['X-Other', '\\q'],
      ],
    },
  },
  {
    name: 'a pasted pipe into jq',
    command: 'curl -s http://127.0.0.1:8000/api/items | jq .',
    expected: { method: 'GET', url: 'http://127.0.0.1:8000/api/items', warnings: [] },
  },
  {
    name: 'a comment after the command and a comment line before it',
    command: '# the example UI\ncurl http://127.0.0.1:8000/ # GET /',
    expected: { method: 'GET', url: 'http://127.0.0.1:8000/', warnings: [] },
  },
  {
    name: 'headers with colons in their values',
    command: `curl -H 'X-Time: 12:30:00' -H 'Referer: http://127.0.0.1:8000/a:b' http://127.0.0.1:8000/`,
    expected: {
      headers: [
        ['X-Time', '12:30:00'],
        ['Referer', 'http://127.0.0.1:8000/a:b'],
      ],
    },
  },
  {
    name: '--json: a POST with JSON content type and accept',
    command: `curl --json '{"payload":"hello"}' http://127.0.0.1:8000/qrcode`,
    expected: {
      method: 'POST',
      headers: [
        ['Content-Type', 'application/json'],
        ['Accept', 'application/json'],
      ],
      body: '{"payload":"hello"}',
    },
  },
  {
    name: 'grouped short options (-fsSL), -XPUT and -H with the value attached',
    command: `curl -fsSL -XPUT -H'X-A: 1' http://127.0.0.1:8000/x`,
    expected: { method: 'PUT', headers: [['X-A', '1']], warnings: [] },
  },
  {
    name: '-X DELETE with --url',
    command: 'curl -X DELETE --url http://127.0.0.1:8000/items/7',
    expected: { method: 'DELETE', url: 'http://127.0.0.1:8000/items/7', body: undefined },
  },
  {
    name: '-G with --data-urlencode: the data goes in the query',
    command: `curl -G http://127.0.0.1:8000/search --data-urlencode 'q=hello world' -d page=2`,
    expected: { method: 'GET', url: 'http://127.0.0.1:8000/search?q=hello%20world&page=2', body: undefined, headers: [] },
  },
  {
    name: '-I: a HEAD request',
    command: 'curl -I http://127.0.0.1:8000/',
    expected: { method: 'HEAD' },
  },
  {
    name: '-F: a multipart form is not imported, and says so',
    command: `curl -F 'file=@photo.png' http://127.0.0.1:8000/upload`,
    expected: { method: 'POST', body: undefined, warnings: [/Multipart form fields \(-F file=@photo\.png\) are not imported/] },
  },
  {
    name: '-d @file: the body comes from a file, and says so',
    command: 'curl -d @body.json -H "Content-Type: application/json" http://127.0.0.1:8000/qrcode',
    expected: { method: 'POST', warnings: [/The body comes from a file \(@body\.json\)/] },
  },
  {
    name: 'a prompt before the command, and an address without a scheme',
    command: '$ curl localhost:8000/qrcode',
    expected: { url: 'http://localhost:8000/qrcode' },
  },
  {
    name: 'curl.exe, as PowerShell users write it',
    command: 'curl.exe -s "http://127.0.0.1:8000/"',
    expected: { url: 'http://127.0.0.1:8000/' },
  },
  {
    name: 'redirections are not arguments',
    command: 'curl -sS http://127.0.0.1:8000/a 2>/dev/null > out.json',
    expected: { url: 'http://127.0.0.1:8000/a', warnings: [] },
  },
  {
    name: 'lines that lost their trailing backslashes still belong to the command',
    command: `curl http://127.0.0.1:8000/qrcode
  -H 'Content-Type: application/json'
  -d '{"payload":"x"}'`,
    expected: { method: 'POST', headers: [['Content-Type', 'application/json']], body: '{"payload":"x"}' },
  },
  {
    name: 'an unquoted & cuts the URL, as a shell would, and says so',
    command: 'curl http://127.0.0.1:8000/search?a=1&b=2',
    expected: { url: 'http://127.0.0.1:8000/search?a=1', warnings: [/unquoted &/] },
  },
  {
    name: 'an option the import does not know is ignored, and said',
    command: 'curl --tr-encoding http://127.0.0.1:8000/',
    expected: { url: 'http://127.0.0.1:8000/', warnings: [/Ignored the option --tr-encoding/] },
  },
  {
    name: 'an option that changes the request but is not imported takes its value with it, and is said',
    command: 'curl --aws-sigv4 aws:amz:us-east-1:s3 http://127.0.0.1:8000/',
    expected: { url: 'http://127.0.0.1:8000/', warnings: [/--aws-sigv4 aws:amz:us-east-1:s3 is not imported/] },
  },
  {
    name: '--url-query adds to the query, url-encoded unless it starts with +',
    command: `curl http://127.0.0.1:8000/search?page=1 --url-query 'q=a b' --url-query '+raw=%41'`,
    expected: { method: 'GET', url: 'http://127.0.0.1:8000/search?page=1&q=a%20b&raw=%41' },
  },
];

describe('parseCurl, on commands as people paste them', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const parsed = parseCurl(row.command);
      const { warnings, ...rest } = row.expected;
      for (const [key, value] of Object.entries(rest)) assert.deepEqual(parsed[key as keyof CurlRequest], value, `${key} of ${JSON.stringify(parsed, null, 1)}`);
      if (warnings) {
        assert.equal(parsed.warnings.length, warnings.length, `warnings: ${JSON.stringify(parsed.warnings)}`);
        warnings.forEach((pattern, i) => assert.match(parsed.warnings[i]!, pattern));
      }
    });
  }
});

describe('parseCurl, refusing what it cannot read', () => {
  const refuses = (command: string, message: RegExp) => assert.throws(() => parseCurl(command), (err: Error) => err instanceof CurlParseError && message.test(err.message));

  it('says a quote is not closed', () => refuses(`curl -d '{"a":1} http://x/`, /single quote .* is not closed/));
  it('says a $\'…\' string is not closed', () => refuses(`curl -d $'abc http://x/`, /\$'…' string is not closed/));
  it('says when the command is not curl', () => refuses('wget http://127.0.0.1:8000/', /not a curl command/));
  it('says when there is no URL', () => refuses('curl -s', /no URL/));
  it('says when there are two URLs', () => refuses('curl http://a/ http://b/', /2 URLs/));
  it('says when an option lacks its value', () => refuses('curl http://a/ -H', /-H needs a value/));
  it('says when a header has no name', () => refuses(`curl -H 'no colon here' http://a/`, /not in the "Name: value" form/));
});

describe('toCurl', () => {
  const requests = [
    { method: 'GET', url: 'http://127.0.0.1:8000/', headers: [] as [string, string][] },
    { method: 'POST', url: 'http://127.0.0.1:8000/qrcode', headers: [['Content-Type', 'application/json']] as [string, string][], body: `{"payload":"it's \\"quoted\\", $HOME and \`ticks\`\nnew line, café ☺"}` },
    { method: 'PATCH', url: 'http://127.0.0.1:8000/a?b=c&d=e', headers: [['X-Empty-Value', 'a: b']] as [string, string][], body: '' },
  ];
  for (const request of requests) {
    it(`writes a command the import reads back the same (${request.method} ${request.url})`, () => {
      const parsed = parseCurl(toCurl(request));
      assert.equal(parsed.method, request.method);
      assert.equal(parsed.url, request.url);
      assert.equal(parsed.body, request.body);
      assert.deepEqual(parsed.headers.slice(0, request.headers.length), request.headers);
      assert.deepEqual(parsed.warnings, []);
    });
  }

  it('says the file a binary body comes from', () => {
    assert.equal(toCurl({ method: 'POST', url: 'http://a/', headers: [], binaryBodyName: 'photo 1.png' }), "curl http://a/ --data-binary '@photo 1.png'");
  });
});
