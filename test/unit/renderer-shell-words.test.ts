// Splitting a pasted command line into commands and words, as bash or cmd.exe would, without
// running or expanding anything.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLikeCmd, parseCmd, parsePosix, ShellSyntaxError } from '../../renderer/src/lib/shell-words.ts';

const wordsOf = (parse: ReturnType<typeof parsePosix>) => parse.commands.map((command) => command.words);

describe('parsePosix', () => {
  it('splits lists and pipelines into commands, saying what ended each', () => {
    const parsed = parsePosix('a 1 | b; c && d || e & f\ng');
    assert.deepEqual(wordsOf(parsed), [['a', '1'], ['b'], ['c'], ['d'], ['e'], ['f'], ['g']]);
    assert.deepEqual(parsed.commands.map((command) => command.endedBy), ['|', ';', '&&', '||', '&', '\n', undefined]);
  });

  it('joins quoted and unquoted parts of one word', () => {
    assert.deepEqual(wordsOf(parsePosix(`a'b c'"d e"f\\ g`)), [['ab cd ef g']]);
  });

  it('keeps backslashes in double quotes except before " \\ $ and `', () => {
    assert.deepEqual(wordsOf(parsePosix(String.raw`"\a \" \\ \$ \`"`)), [['\\a " \\ $ `']]);
  });

  it('keeps an empty quoted word', () => {
    assert.deepEqual(wordsOf(parsePosix(`a '' ""`)), [['a', '', '']]);
  });

  it('joins lines ended by a backslash, also with Windows line ends', () => {
    assert.deepEqual(wordsOf(parsePosix('a \\\r\n  b \\\n c')), [['a', 'b', 'c']]);
  });

  it('drops comments, but not a # inside a word', () => {
    assert.deepEqual(wordsOf(parsePosix('a http://x/#top # a comment\n# another\nb')), [['a', 'http://x/#top'], ['b']]);
  });

  it('drops redirections and their targets', () => {
    assert.deepEqual(wordsOf(parsePosix('a > out.txt 2>&1 b 2> /dev/null <in.txt c')), [['a', 'b', 'c']]);
  });

  it('keeps variables as written and lists them', () => {
    const parsed = parsePosix(`a "Bearer $TOKEN" \${HOST}/x '$NOT_ME'`);
    assert.deepEqual(wordsOf(parsed), [['a', 'Bearer $TOKEN', '${HOST}/x', '$NOT_ME']]);
    assert.deepEqual(parsed.variables, ['$TOKEN', '${HOST}']);
  });

  it("decodes $'…' like bash: UTF-8 from \\x bytes when they are UTF-8, \\u, \\U, \\c", () => {
    assert.deepEqual(wordsOf(parsePosix(String.raw`$'\xc3\xa9 \u00e9 \U0001F600 \cA'`)), [['é é 😀 \x01']]);
  });

  it('refuses an unclosed quote', () => {
    assert.throws(() => parsePosix('a "b'), ShellSyntaxError);
    assert.throws(() => parsePosix("a 'b"), ShellSyntaxError);
  });
});

describe('parseCmd', () => {
  it('removes ^ escapes and follows ^ continuations', () => {
    assert.deepEqual(wordsOf(parseCmd('a ^"b c^" ^\r\n  d^&e')), [['a', 'b c', 'd&e']]);
  });

  it('reads the C runtime\'s backslashes: doubled before a quote, literal elsewhere', () => {
    assert.deepEqual(wordsOf(parseCmd(String.raw`a "x \" y" "C:\dir\\" z\\w`)), [['a', 'x " y', 'C:\\dir\\', 'z\\\\w']]);
  });

  it('ends a command at & and |, outside quotes', () => {
    assert.deepEqual(wordsOf(parseCmd('a "1 & 2" & b | c')), [['a', '1 & 2'], ['b'], ['c']]);
  });

  it('lists %VARIABLES% as written', () => {
    const parsed = parseCmd('a "Bearer %TOKEN%"');
    assert.deepEqual(wordsOf(parsed), [['a', 'Bearer %TOKEN%']]);
    assert.deepEqual(parsed.variables, ['%TOKEN%']);
  });

  it('drops redirections', () => {
    assert.deepEqual(wordsOf(parseCmd('a b 2>nul > "out file.json" c')), [['a', 'b', 'c']]);
  });
});

describe('looksLikeCmd', () => {
  it('recognises ^ quoting and ^ continuations, and nothing else', () => {
    assert.equal(looksLikeCmd('curl ^"http://x/^"'), true);
    assert.equal(looksLikeCmd('curl http://x/ ^\n  -H "A: b"'), true);
    assert.equal(looksLikeCmd(`curl 'http://x/' \\\n  -d 'a^b'`), false);
  });
});
