/** Keeps the last `max` lines seen, for an error message that quotes the installer's end. */
export class LastLines {
  private readonly lines: string[] = [];
  constructor(private readonly max: number) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }

  text(): string {
    return this.lines.filter((l) => l.trim() !== '').join('\n');
  }
}
