/**
 * A live one-line progress display on stderr: rewritten in place on a terminal,
 * one line per interval otherwise (CI logs stay readable).
 */
export class ProgressLine {
  private lastLength = 0;
  private lastPrintMs = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainIntervalMs = 5_000,
  ) {}

  update(text: string, nowMs: number): void {
    if (this.stream.isTTY) {
      const padded = text.padEnd(this.lastLength);
      this.lastLength = text.length;
      this.stream.write(`\r${padded}`);
    } else if (nowMs - this.lastPrintMs >= this.plainIntervalMs) {
      this.lastPrintMs = nowMs;
      this.stream.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.stream.isTTY && this.lastLength > 0) this.stream.write('\n');
    this.lastLength = 0;
  }
}
