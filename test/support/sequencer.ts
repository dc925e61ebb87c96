import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Spreads each tier's files evenly over the run instead of one tier after another: the e2e
 * files mostly wait on the stack and a browser, the integration ones on DynamoDB Local, the unit
 * ones on nothing, so a mix keeps both cores busy. Within a tier, vitest's own order (slowest
 * first, once it has timed them).
 */
export class SpreadTiersSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const tiers = new Map<string, TestSpecification[]>();
    for (const file of ordered) {
      const tier = tiers.get(file.project.name) ?? [];
      tier.push(file);
      tiers.set(file.project.name, tier);
    }
    // Each file's place as a fraction of its tier's run, then all tiers merged by that place.
    const placed = [...tiers.values()].flatMap((tier) =>
      tier.map((file, index) => ({ file, place: index / tier.length })),
    );
    return placed.sort((a, b) => a.place - b.place).map(({ file }) => file);
  }
}
