import type { Reporter, TestModule } from 'vitest/node';

/** The suites whose closing figures are repeated at the end of the run, by their first word. */
const SUITES = ['authorization', 'fuzz', 'faults', 'concurrency', 'rate limit', 'keyed create'];
const FIGURES = new RegExp(`^(${SUITES.join('|')})[^:]*: `);

/**
 * Prints the proof suites' figures (the one line each suite logs when it ends) together after
 * the run, with each suite's failed cases, so `npm test` ends with what was tried and how it went.
 */
export default class ProofSummary implements Reporter {
  private readonly lines: { file: string; text: string }[] = [];

  onUserConsoleLog(log: { content: string; taskId?: string; origin?: string }) {
    for (const text of log.content.split('\n')) {
      if (FIGURES.test(text)) this.lines.push({ file: log.taskId ?? '', text: text.trim() });
    }
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    if (this.lines.length === 0) return;
    let failedCases = 0;
    let failedFiles = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests())
        if (test.result().state === 'failed') failedCases++;
      // A file whose set-up failed runs none of its cases: it counts on its own.
      if (module.state() === 'failed') failedFiles++;
    }
    console.log('\nProof suites (cases tried, and what held):');
    for (const { text } of this.lines) console.log(`  ${text}`);
    console.log(`  failed in this run: ${failedCases} test cases, in ${failedFiles} files\n`);
  }
}
