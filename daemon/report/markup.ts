/**
 * HTML built from templates whose every interpolation is escaped unless it is markup built here: file names, reviewer
 * names, purposes and reasons come from the dataset and can be hostile (`<script>` in a file name), so escaping is
 * the default and never a step to remember.
 */

/** Markup already safe to insert: made only by `html`. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

type Value = Markup | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** A template whose interpolations are escaped (arrays joined, Markup kept, null/undefined/false left out). */
export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let text = strings[0];
  values.forEach((value, index) => {
    text += render(value) + strings[index + 1];
  });
  return new Markup(text);
}
