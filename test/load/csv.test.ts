import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsvText } from '../../src/load/csv.js';

describe('parseCsvText', () => {
  it('reads quoted commas, doubled quotes, line breaks in quotes and CRLF, with start lines', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",z\n\n3,,\n';
    expect(parseCsvText(text)).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'x, y', 'say "hi"'] },
      { line: 3, cells: ['2', 'two\nlines', 'z'] },
      { line: 6, cells: ['3', '', ''] },
    ]);
  });
  it('handles a last line without a newline', () => {
    expect(parseCsvText('a,b\n1,2')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['1', '2'] },
    ]);
  });
  it('locates an unclosed quote and text after a closing quote', () => {
    expect(() => parseCsvText('a,b\n1,"open\n2,3\n')).toThrow(CsvSyntaxError);
    try {
      parseCsvText('a,b\n1,"open\n2,3\n');
    } catch (error) {
      expect((error as CsvSyntaxError).line).toBe(2);
    }
    expect(() => parseCsvText('a\n"x"y\n')).toThrow(/after a closing quote/);
  });
});
