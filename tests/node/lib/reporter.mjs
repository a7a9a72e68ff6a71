// node:test reporter that writes one JSON line per finished top-level test (file, name, pass or
// fail, error message), for check-results.mjs to compare with known_failures.txt.
import { basename } from 'node:path';

export default async function* resultsReporter(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    if (data.nesting !== 0 || data.details?.type === 'suite') continue;
    const error = data.details?.error;
    const cause = error?.cause ?? error;
    yield `${JSON.stringify({
      file: data.file ? basename(data.file) : '',
      name: data.name,
      passed: event.type === 'test:pass' && !data.skip && !data.todo,
      skipped: Boolean(data.skip || data.todo),
      error: cause ? String(cause.message ?? cause).split('\n').slice(0, 6).join('\n') : undefined,
    })}\n`;
  }
}
