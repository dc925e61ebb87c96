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
    const failed = new Map<string, number>();
    for (const module of testModules) {
      let count = 0;
      for (const test of module.children.allTests()) if (test.result().state === 'failed') count++;
      failed.set(module.moduleId, count);
    }
    const failedCases = [...failed.values()].reduce((sum, n) => sum + n, 0);
    console.log('\nProof suites (cases tried, and what held):');
    for (const { text } of this.lines) console.log(`  ${text}`);
    console.log(`  failed test cases in this run: ${failedCases}\n`);
  }
}
