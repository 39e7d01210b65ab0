/**
 * Why a `go test` run failed, in Go's own words, for the run's error (the
 * FAIL line, the JSON and JUnit reports): the lines under its `--- FAIL:`
 * line, else a panic's first line, else the `--- FAIL:` line itself, else
 * the last lines it printed before go test's own closing lines. Nothing is
 * made up: every line is one go test printed. Read from the output as it streams past, in
 * bounded memory, since a run may print any amount.
 */

/** At most this many lines of a `--- FAIL:` block are kept. */
const BLOCK_LINES_MAX = 20;
/** The last lines kept for a run that failed without a FAIL block or a panic. */
const TAIL_LINES = 5;
/** A longer line is cut: a reason is for reading at a glance, the log has the rest. */
const LINE_CHARS_MAX = 500;

/** go test's own closing lines, which say that it failed but not why. */
const TRAILER = /^(?:FAIL|ok|PASS)(?:\s|$)|^exit status \d+$/;

export class GoFailureReader {
  private partial = '';
  private readonly block: string[] = [];
  private inBlock = false;
  private panic: string | undefined;
  private readonly tail: string[] = [];
  private readonly decoder = new TextDecoder();

  write(chunk: Uint8Array): void {
    const text = this.partial + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.partial = lines.pop()!.slice(0, LINE_CHARS_MAX);
    for (const line of lines) this.line(line);
  }

  /** Go's lines that say why the run failed, or none. */
  reason(): string[] {
    if (this.partial !== '') {
      this.line(this.partial);
      this.partial = '';
    }
    const messages = this.block.filter((line) => /^\s/.test(line)).map((line) => line.trim());
    if (messages.length > 0) return messages;
    // A test that panicked has a bare FAIL line, then the panic's.
    if (this.panic !== undefined) return [this.panic];
    if (this.block.length > 0) return this.block.slice(0, 1);
    const tail = [...this.tail];
    while (tail.length > 0 && TRAILER.test(tail.at(-1)!)) tail.pop();
    return tail.slice(-TAIL_LINES);
  }

  private line(raw: string): void {
    const line = raw.replace(/\r$/, '').slice(0, LINE_CHARS_MAX);
    if (line.trim() === '') return;
    if (line.startsWith('--- FAIL:')) this.inBlock = true;
    else if (!/^\s/.test(line)) this.inBlock = false;
    if (this.inBlock && this.block.length < BLOCK_LINES_MAX) this.block.push(line);
    if (this.panic === undefined && line.startsWith('panic: ')) this.panic = line;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES + 4) this.tail.shift();
  }
}
