import { Readable } from 'node:stream';
import { type CsvRecord, csvRecords, MAX_RECORD_CHARACTERS, normaliseLineBreaks } from './csv-records';

/** The records of a text fed in chunks of `chunk` bytes (so that a CRLF, a BOM or a UTF-8 sequence falls across two). */
async function recordsOf(text: string, chunk = 7): Promise<CsvRecord[]> {
  const bytes = Buffer.from(text, 'utf8');
  const chunks = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) => bytes.subarray(i * chunk, (i + 1) * chunk));
  const records: CsvRecord[] = [];
  for await (const record of csvRecords(Readable.from(chunks))) records.push(record);
  return records;
}

describe('CSV records', () => {
  it('given a BOM, CRLF, quoted commas and quotes, a line break in a quoted field and blank lines, then each record has its cells and the line it starts on', async () => {
    const text = '\uFEFFid,name,team\r\n1,"Smith, Jo",Équipe Données\r\n\r\n2,"multi\r\nline",x\r\n3,"say ""hi""",y\r\n4,bad"quote,z';
    for (const chunk of [1, 2, 3, 7, 1000]) {
      expect(await recordsOf(text, chunk)).toEqual([
        { kind: 'row', line: 1, values: ['id', 'name', 'team'] },
        { kind: 'row', line: 2, values: ['1', 'Smith, Jo', 'Équipe Données'] },
        { kind: 'row', line: 4, values: ['2', 'multi\nline', 'x'] },
        { kind: 'row', line: 6, values: ['3', 'say "hi"', 'y'] },
        { kind: 'row', line: 7, values: ['4', 'bad"quote', 'z'] },
      ]);
    }
  });

  it('given lone CRs (old Mac exports), then they are line breaks too', async () => {
    expect(await recordsOf('a,b\r1,2\r3,4\r')).toEqual([
      { kind: 'row', line: 1, values: ['a', 'b'] },
      { kind: 'row', line: 2, values: ['1', '2'] },
      { kind: 'row', line: 3, values: ['3', '4'] },
    ]);
  });

  it('given quotes where RFC 4180 has none (a quote inside an unquoted field, text after a closing quote), then the cells keep them as written', async () => {
    expect(await recordsOf('a,b\n"x"y,5" screen\n4,5\n')).toEqual([
      { kind: 'row', line: 1, values: ['a', 'b'] },
      { kind: 'row', line: 2, values: ['"x"y', '5" screen'] },
      { kind: 'row', line: 3, values: ['4', '5'] },
    ]);
  });

  it('given a record longer than MAX_RECORD_CHARACTERS, then it is the last, malformed, and memory holds no more of it', async () => {
    expect(await recordsOf(`a,b\n1,2\n3,${'x'.repeat(MAX_RECORD_CHARACTERS + 1)}\n4,5\n`, 64 * 1024)).toEqual([
      { kind: 'row', line: 1, values: ['a', 'b'] },
      { kind: 'row', line: 2, values: ['1', '2'] },
      { kind: 'malformed', line: 3, reason: expect.stringContaining('nothing from this line on could be read'), last: true },
    ]);
  });

  it('given a quote never closed, then the rest of the file is one malformed record at the line it starts on', async () => {
    expect(await recordsOf('a,b\n1,2\n3,"open\n4,5\n')).toEqual([
      { kind: 'row', line: 1, values: ['a', 'b'] },
      { kind: 'row', line: 2, values: ['1', '2'] },
      { kind: 'malformed', line: 3, reason: 'a quoted field is never closed: nothing from this line to the end of the file could be read', last: true },
    ]);
  });

  it('given CRLF split across chunks, then normaliseLineBreaks writes one LF for it', async () => {
    const out: Buffer[] = [];
    for await (const chunk of Readable.from([Buffer.from('a\r'), Buffer.from('\nb\r'), Buffer.from('c\r')]).pipe(normaliseLineBreaks())) out.push(chunk as Buffer);
    expect(Buffer.concat(out).toString()).toBe('a\nb\nc\n');
  });
});
