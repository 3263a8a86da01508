/**
 * Text for the HTML pages (src/view/sequence.ts, src/oracle/html.ts): escaping, and the width
 * of monospace text, which is how the pages make every label fit its box without measuring in
 * a browser. Labels are never cut: a long one wraps onto more lines (sequence diagrams) or
 * widens the time axis (timelines), as Porcupine's visualizer sizes each box to its text.
 */

/** Escapes text for HTML element content and double-quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Pixel size of the monospace font the pages set for labels. */
export const FONT_PX = 11;
/**
 * Advance of one character of that font, with a margin: DejaVu Sans Mono, Menlo and Courier
 * advance 0.60–0.62 em; Consolas less. Overestimating leaves a little air, never a clipped label.
 */
export const CHAR_PX = 6.9;
/** The font stack behind CHAR_PX; every label the layouts size is set in it. */
export const MONO = `"DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace`;

export const textWidth = (text: string): number => [...text].length * CHAR_PX;

/**
 * `text` in lines of at most `max` characters, broken at spaces where possible (a word longer
 * than a line is split). Joining the lines with single spaces gives the text back, except for
 * runs of spaces, so nothing is ever dropped.
 */
export function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    let rest = [...word];
    while (rest.length > 0) {
      const room = line === '' ? max : max - [...line].length - 1;
      if (rest.length <= room) {
        line = line === '' ? rest.join('') : `${line} ${rest.join('')}`;
        rest = [];
      } else if (line !== '') {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, max).join(''));
        rest = rest.slice(max);
      }
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
