/**
 * Progress on stderr while a long replay runs: files, records, records/s. Only on a terminal (a pipe or a
 * CI log gets the final summary alone), and at most every 200 ms so printing never slows the run.
 */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #started = Date.now();
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#enabled = Boolean(stream.isTTY);
  }

  update(files: number, records: number): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#lastDraw < 200) return;
    this.#lastDraw = now;
    const seconds = Math.max((now - this.#started) / 1000, 0.001);
    const rate = Math.round(records / seconds);
    this.#stream.write(`\r\x1b[2K${files} files, ${records} records, ${rate} records/s`);
    this.#drawn = true;
  }

  clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
