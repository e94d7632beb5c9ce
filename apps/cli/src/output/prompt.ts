import { createInterface } from 'node:readline';

/**
 * One line from the terminal (or from stdin when it is not one: scripts pipe the password).
 * `hidden`: nothing typed is echoed.
 */
export function ask(question: string, hidden = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    const rl = createInterface({ input, output: process.stderr, terminal: input.isTTY === true });
    if (hidden && input.isTTY) {
      // readline echoes through _writeToOutput: replace it so the password never shows.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.includes(question)) process.stderr.write(question);
      };
    }
    rl.on('close', () => reject(new Error('no input: stdin closed before an answer')));
    rl.question(question, (answer) => {
      rl.removeAllListeners('close');
      rl.close();
      if (hidden && input.isTTY) process.stderr.write('\n');
      resolve(answer.replace(/\r?\n$/, ''));
    });
  });
}
