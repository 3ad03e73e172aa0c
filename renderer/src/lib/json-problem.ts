// Says where and why a JSON text does not parse, in words: JSON.parse decides whether it is
// valid, and jsonc-parser (VS Code's JSON scanner) says where the first problem is, since
// V8's messages no longer carry a position.
import { parse, type ParseError, printParseErrorCode } from 'jsonc-parser';

const WHY: Record<string, string> = {
  InvalidSymbol: 'unexpected text',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name in double quotes was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: 'a colon was expected',
  CommaExpected: 'a comma was expected',
  CloseBraceExpected: 'a closing } was expected',
  CloseBracketExpected: 'a closing ] was expected',
  EndOfFileExpected: 'nothing more was expected',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut short',
  InvalidUnicode: 'an invalid \\u escape',
  InvalidEscapeCharacter: 'an invalid escape character',
  InvalidCharacter: 'a character that must be escaped',
};

/** Undefined when the text is valid JSON; else e.g. `unexpected text "oops" (line 1, column 13)`. */
export function jsonProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    if (text.trim() === '') return 'the body is empty (send {} or choose None)';
    const errors: ParseError[] = [];
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) return (err as Error).message;
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    const near = text.slice(first.offset, first.offset + Math.max(first.length, 1)).slice(0, 30);
    const why = WHY[printParseErrorCode(first.error)] ?? 'invalid JSON';
    return `${why}${near.trim() ? ` near "${near}"` : ''} (line ${line}, column ${column})`;
  }
}
