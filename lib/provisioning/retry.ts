/**
 * A use case that reads, decides and writes on the condition that what it read is unchanged
 * loses a race when another write lands in between (a CONFLICT from its transaction). SPEC §3:
 * such a race is the service's to absorb, so the whole use case runs again on a fresh read,
 * a few times with jittered backoff; CONFLICT reaches the caller only for sustained contention.
 */
import { AppError } from '#lib/errors.ts';
import { backoff, isSustainedContention } from '#lib/store/table.ts';

const ATTEMPTS = 6;

export async function retryingLostRaces<T>(run: () => Promise<T>, attempts = ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const lostRace =
        error instanceof AppError && error.code === 'CONFLICT' && !isSustainedContention(error);
      if (!lostRace || attempt >= attempts) throw error;
      await backoff(attempt);
    }
  }
}
